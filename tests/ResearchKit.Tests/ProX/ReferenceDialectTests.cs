using ResearchKit.ProX;

namespace ResearchKit.Tests.ProX;

/// <summary>Each reference quirk (the ProX reference code's string handling) in <see cref="ProxDialect.Reference"/>, next to what the kit's
/// strict dialect does with the same program.</summary>
public sealed class ReferenceDialectTests
{
    const string Doc = "alpha one two three\nbeta one two three\ngamma one two three\ndelta one two three\n(c) 2024 one two three";
    static readonly ProgramInterpreter Reference = new(ProxOptions.Reference);
    static readonly ProgramInterpreter Strict = new();

    [Theory]
    [InlineData("keep_doc() # drop", true, false)]
    [InlineData("I would not drop this", true, false)]
    [InlineData("dropped", true, false)]
    [InlineData("DROP_DOC()", false, false)]
    [InlineData("drop_doc()", true, true)]
    [InlineData("keep_doc()", false, false)]
    public void DocumentLevelDropsOnTheSubstringDrop(string program, bool referenceDrops, bool strictDrops)
    {
        Assert.Equal(referenceDrops, Reference.RunDocumentProgram(Doc, program).Dropped);
        Assert.Equal(strictDrops, Strict.RunDocumentProgram(Doc, program).Dropped);
        Assert.Empty(Reference.RunDocumentProgram(Doc, program).Errors);
    }

    [Fact]
    public void RemoveLinesParsesOnlyTheKeywordForm()
    {
        var r = Reference.RunChunkProgram(Doc, "remove_lines(1, 2)");
        Assert.Equal(Doc, r.Text);
        Assert.Single(r.Errors);
        Assert.Equal(RefineOutcome.Processed, r.Outcome);   // one error: the (unchanged) text counts as processed

        Assert.Equal(3, Strict.RunChunkProgram(Doc, "remove_lines(1, 2)").Text!.Split('\n').Length);
        // Keyword form, odd spacing: Python's int() strips white space. Arguments past the second are ignored.
        r = Reference.RunChunkProgram(Doc, "remove_lines(line_start= 1 , line_end=2, line_end=4)");
        Assert.Equal([new LineRange(1, 2)], r.RemovedLines);
        Assert.Empty(r.Errors);
    }

    [Fact]
    public void AMissingCloseParenthesisCountsAnErrorAndDropsTheLastCharacter()
    {
        // Read up to the last character but one: "line_end=23" becomes "line_end=2".
        var r = Reference.RunChunkProgram(Doc, "remove_lines(line_start=1, line_end=23");
        Assert.Equal([new LineRange(1, 2)], r.RemovedLines);
        Assert.Contains("no ')'", Assert.Single(r.Errors).Reason);

        var strict = Strict.RunChunkProgram(Doc, "remove_lines(line_start=1, line_end=23");
        Assert.Empty(strict.RemovedLines);
        Assert.Contains("missing ')'", Assert.Single(strict.Errors).Reason);
    }

    [Fact]
    public void NormalizeValuesAreStrippedOfDoubleQuotesOnly()
    {
        Assert.Equal(Doc.Replace("one", "1"), Reference.RunChunkProgram(Doc, "normalize(source_str=\"one\", target_str=\"1\")").Text);
        // Single quotes stay in the value: nothing matches.
        var single = Reference.RunChunkProgram(Doc, "normalize(source_str='one', target_str='1')");
        Assert.Equal(Doc, single.Text);
        Assert.Equal(("'one'", 0), (single.Normalizations[0].Source, single.Normalizations[0].Occurrences));
        Assert.Equal(Doc.Replace("one", "1"), Strict.RunChunkProgram(Doc, "normalize(source_str='one', target_str='1')").Text);
        // Python's int-free string handling: escapes are not decoded.
        Assert.Equal(Doc, Reference.RunChunkProgram(Doc, "normalize(source_str=\"alpha\\n\", target_str=\"\")").Text);
        Assert.Equal(Doc.Replace("alpha\n", ""), Strict.RunChunkProgram(Doc, "normalize(source_str=\"alpha\\n\", target_str=\"\")").Text);
    }

    [Fact]
    public void NormalizeWithACommaInsideAStringIsIgnoredWithoutAnError()
    {
        const string text = "one, two three four five six seven eight nine ten eleven, twelve";
        var r = Reference.RunChunkProgram(text, "normalize(source_str=\"one, two\", target_str=\"1-2\")");
        Assert.Equal(text, r.Text);
        Assert.Empty(r.Errors);
        Assert.Empty(r.Normalizations);
        Assert.StartsWith("1-2 three", Strict.RunChunkProgram(text, "normalize(source_str=\"one, two\", target_str=\"1-2\")").Text);
    }

    [Fact]
    public void SpacesAroundTheEqualsSignKeepTheQuoteSoNothingMatches()
    {
        var r = Reference.RunChunkProgram(Doc, "normalize(source_str = \"one\", target_str = \"1\")");
        Assert.Equal(Doc, r.Text);
        Assert.Equal(" \"one", r.Normalizations[0].Source);   // ' "one"' with the trailing quote stripped
        Assert.Empty(r.Errors);
        Assert.Equal(Doc.Replace("one", "1"), Strict.RunChunkProgram(Doc, "normalize(source_str = \"one\", target_str = \"1\")").Text);
    }

    [Fact]
    public void ACloseParenthesisInsideTheSourceTruncatesIt()
    {
        // The arguments end at the first ')': one argument 'source_str="(c' deletes "(c".
        var r = Reference.RunChunkProgram(Doc, "normalize(source_str=\"(c) 2024\", target_str=\"\")");
        Assert.EndsWith("\n) 2024 one two three", r.Text);
        Assert.Equal(("(c", ""), (r.Normalizations[0].Source, r.Normalizations[0].Target));
        Assert.EndsWith("\n one two three", Strict.RunChunkProgram(Doc, "normalize(source_str=\"(c) 2024\", target_str=\"\")").Text);
    }

    [Fact]
    public void RemoveLinesAllTrueMarksEveryLineOfTheOriginalText()
    {
        var r = Reference.RunChunkProgram(Doc, "remove_lines(all=True)");
        Assert.Equal([new LineRange(0, 4)], r.RemovedLines);
        Assert.Equal(RefineOutcome.DroppedMostlyRemoved, r.Outcome);
        Assert.Empty(r.Errors);
        // Ranges given besides "all" still count their errors.
        r = Reference.RunChunkProgram(Doc, "remove_lines(line_start=7, line_end=9)\nremove_lines(all=True)");
        Assert.Single(r.Errors);
        Assert.Equal([new LineRange(0, 4)], r.RemovedLines);
        Assert.Equal(RefineOutcome.DroppedMostlyRemoved, r.Outcome);
    }

    [Fact]
    public void NegativeOrReversedRangesAndUnknownOpsAreNoErrors()
    {
        var r = Reference.RunChunkProgram(Doc, "remove_lines(line_start=-3, line_end=-1)\nremove_lines(line_start=3, line_end=1)\nfoo()\n  remove_lines(line_start=0, line_end=0)\nskip_chunk()");
        Assert.Empty(r.Errors);
        Assert.Empty(r.RemovedLines);
        Assert.Equal(Doc, r.Text);
        Assert.Equal(2, Strict.RunChunkProgram(Doc, "remove_lines(-3, -1)\nremove_lines(3, 1)").Errors.Count);
        Assert.Equal(3, Strict.RunChunkProgram(Doc, "remove_lines(-3, -1)\nremove_lines(3, 1)\nfoo()").Errors.Count);
    }

    [Fact]
    public void HugeRangesStayIntervalsAndCountAsPastTheEnd()
    {
        // The reference would enumerate 10^18 line numbers; here it is one interval and one error.
        var r = Reference.RunChunkProgram(Doc, "remove_lines(line_start=4, line_end=1000000000000000000)\nremove_lines(line_start=99999999999999999999999, line_end=99999999999999999999999)");
        Assert.Equal([new LineRange(4, 4)], r.RemovedLines);
        Assert.Equal(2, r.Errors.Count);
        Assert.Equal(RefineOutcome.ErrorsKeptOriginal, r.Outcome);
    }

    [Fact]
    public void PythonIntConversionRules()
    {
        foreach (var (text, expected) in new[] { ("3", 3L), (" -4 ", -4L), ("+1_000", 1000L), ("\u0663", 3L), ("\t7\n", 7L) })
        {
            Assert.True(PythonText.TryParseInt(text, out long v), text);
            Assert.Equal(expected, v);
        }
        foreach (var text in new[] { "", " ", "3.0", "1__0", "_1", "1_", "0x10", "3a", "--1" })
            Assert.False(PythonText.TryParseInt(text, out _), text);
    }
}
