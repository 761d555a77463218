using ResearchKit.ProX;

namespace ResearchKit.Tests.ProX;

/// <summary>The kit's (strict) dialect on literal documents.</summary>
public sealed class ProgramInterpreterTests
{
    // Five lines of six words: 30 words.
    const string Doc = "alpha one two three four five\nbeta one two three four five\ngamma one two three four five\ndelta one two three four five\nepsilon one two three four five";
    static readonly ProgramInterpreter Strict = new();

    /// <summary>n lines "w{i} a b c d e f g h i" (10 words each).</summary>
    static string Lines(int n) => string.Join('\n', Enumerable.Range(0, n).Select(i => $"w{i} a b c d e f g h i"));

    [Fact]
    public void RemoveLinesIsZeroBasedInclusiveAndDocumentGlobal()
    {
        var r = Strict.RunChunkProgram(Doc, "remove_lines(line_start=1, line_end=2)");
        Assert.Equal(RefineOutcome.Processed, r.Outcome);
        Assert.Equal("alpha one two three four five\ndelta one two three four five\nepsilon one two three four five", r.Text);
        Assert.Equal([new LineRange(1, 2)], r.RemovedLines);
        Assert.Empty(r.Errors);
        Assert.Equal((30, 18), (r.WordsBefore, r.WordsAfter));

        // Positional form, two calls, overlapping: merged.
        r = Strict.RunChunkProgram(Doc, "remove_lines(0, 0)\nremove_lines(3, 4)\nremove_lines(4, 4)");
        Assert.Equal("beta one two three four five\ngamma one two three four five", r.Text);
        Assert.Equal([new LineRange(0, 0), new LineRange(3, 4)], r.RemovedLines);
    }

    [Fact]
    public void NormalizeReplacesEveryOccurrenceAtOnceAndRemovalComesLast()
    {
        var r = Strict.RunChunkProgram(Doc, "normalize(\"one\", \"1\")\nnormalize(source_str=\"alpha 1\", target_str=\"alpha\\n1\")\nremove_lines(1, 1)");
        // After the normalizations line 1 is "1 two three" (split off "alpha"): that is the line removed.
        Assert.Equal("alpha\nbeta 1 two three four five\ngamma 1 two three four five\ndelta 1 two three four five\nepsilon 1 two three four five", r.Text);
        Assert.Equal([5, 1], r.Normalizations.Select(n => n.Occurrences));
        Assert.Equal(5 * 2, r.Normalizations[0].CharactersRemoved);

        // One argument deletes; no occurrence is not an error.
        r = Strict.RunChunkProgram(Doc, "normalize(\" three\")\nnormalize(\"zzz\", \"y\")");
        Assert.Equal(Doc.Replace(" three", ""), r.Text);
        Assert.Empty(r.Errors);
        Assert.Equal(0, r.Normalizations[1].Occurrences);
    }

    [Fact]
    public void RangesPastTheEndCountOneErrorPerMergedRangeAndRemoveWhatExists()
    {
        var r = Strict.RunChunkProgram(Doc, "remove_lines(3, 10)\nremove_lines(8, 9)");
        Assert.Equal([new LineRange(3, 4)], r.RemovedLines);
        Assert.Equal(1, Assert.Single(r.Errors).Line);
        Assert.Contains("end past the last line (4)", r.Errors[0].Reason);
        Assert.Equal(RefineOutcome.Processed, r.Outcome);

        // A second, separate range past the end: 2 errors, so the original is kept.
        r = Strict.RunChunkProgram(Doc, "remove_lines(3, 10)\nremove_lines(20, 30)");
        Assert.Equal(RefineOutcome.ErrorsKeptOriginal, r.Outcome);
        Assert.Equal(Doc, r.Text);
        Assert.Equal(2, r.Errors.Count);
    }

    [Fact]
    public void ErrorsBelowTwoKeepTheEditsFromTwoOnTheOriginal()
    {
        var one = Strict.RunChunkProgram(Doc, "remove_lines(0, 0)\nremove_everything()");
        Assert.Equal(RefineOutcome.Processed, one.Outcome);
        Assert.StartsWith("beta", one.Text);
        Assert.Contains("unknown function 'remove_everything'", Assert.Single(one.Errors).Reason);

        var two = Strict.RunChunkProgram(Doc, "remove_lines(0, 0)\nremove_everything()\nremove_lines(2, 1)");
        Assert.Equal(RefineOutcome.ErrorsKeptOriginal, two.Outcome);
        Assert.Same(Doc, two.Text);
        Assert.Equal([2, 3], two.Errors.Select(e => e.Line));
    }

    [Fact]
    public void FivePercentOfWordsKeptIsDroppedExactlyAsTheReference()
    {
        // 20 lines of 11 words = 220 words. Keeping one line is r = 11/220 = 0.05 ≤ 1 − 0.95 (= 0.050000000000000044):
        // dropped as mostly removed, although 11 words is more than the 10-word rule's limit.
        string eleven = "a b c d e f g h i j k";
        string text = string.Join('\n', Enumerable.Repeat(eleven, 20));
        var r = Strict.RunChunkProgram(text, "remove_lines(1, 19)");
        Assert.Equal((220, 11), (r.WordsBefore, r.WordsAfter));
        Assert.Equal(RefineOutcome.DroppedMostlyRemoved, r.Outcome);

        // 12 of 221 words kept (r = 0.054): processed.
        r = Strict.RunChunkProgram(eleven + " l\n" + text[(eleven.Length + 1)..], "remove_lines(1, 19)");
        Assert.Equal((221, 12), (r.WordsBefore, r.WordsAfter));
        Assert.Equal(RefineOutcome.Processed, r.Outcome);
        Assert.Equal(eleven + " l", r.Text);

        // With two errors the 5 % rule does not apply; the ≤ 10-word rule still does (on the edited text).
        r = Strict.RunChunkProgram(Lines(22), "remove_lines(1, 21)\nbad()\nworse()");
        Assert.Equal(RefineOutcome.DroppedTooFewWords, r.Outcome);
        r = Strict.RunChunkProgram(text, "remove_lines(1, 19)\nbad()\nworse()");
        Assert.Equal(RefineOutcome.ErrorsKeptOriginal, r.Outcome);
    }

    [Fact]
    public void TenWordsOrFewerAreDroppedEvenWithAnEmptyProgram()
    {
        Assert.Equal(RefineOutcome.DroppedTooFewWords, Strict.RunChunkProgram("one two three four five six seven eight nine ten", "").Outcome);
        var r = Strict.RunChunkProgram("one two three four five six seven eight nine ten eleven", "keep_chunk()\nskip_chunk()");
        Assert.Equal(RefineOutcome.Processed, r.Outcome);
        Assert.Equal("one two three four five six seven eight nine ten eleven", r.Text);
        Assert.Equal(2, r.Operations);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\n\t \u00a0\u3000\u001c")]
    public void EmptyOrWhitespaceDocumentsAreDroppedNotACrash(string text)
    {
        Assert.Equal(RefineOutcome.DroppedEmpty, Strict.RunChunkProgram(text, "remove_lines(0, 0)").Outcome);
        Assert.Equal(RefineOutcome.DroppedEmpty, Strict.RunDocumentProgram(text, "keep_doc()").Outcome);
        Assert.Equal(RefineOutcome.DroppedEmpty, new ProgramInterpreter(ProxOptions.Reference).RunChunkProgram(text, "").Outcome);
    }

    [Fact]
    public void DocumentLevelDropsOnlyOnTheDropDocCall()
    {
        Assert.Equal(RefineOutcome.DroppedByProgram, Strict.RunDocumentProgram(Doc, "drop_doc()").Outcome);
        Assert.Equal(RefineOutcome.DroppedByProgram, Strict.RunDocumentProgram(Doc, "# spam\n  drop_doc( )  # advert").Outcome);
        var kept = Strict.RunDocumentProgram(Doc, "keep_doc()  # do not drop");
        Assert.Equal(RefineOutcome.Kept, kept.Outcome);
        Assert.Same(Doc, kept.Text);
        Assert.Empty(kept.Errors);
        Assert.Equal(RefineOutcome.Kept, Strict.RunDocumentProgram(Doc, "the drop_doc function is not called here").Outcome);

        var upper = Strict.RunDocumentProgram(Doc, "DROP_DOC()");
        Assert.Equal(RefineOutcome.Kept, upper.Outcome);
        Assert.Contains("unknown function 'DROP_DOC'", Assert.Single(upper.Errors).Reason);

        var both = Strict.RunDocumentProgram(Doc, "keep_doc()\ndrop_doc()");
        Assert.Equal(RefineOutcome.DroppedByProgram, both.Outcome);
        Assert.Contains("drop_doc() wins", Assert.Single(both.Errors).Reason);

        var chunkCall = Strict.RunDocumentProgram(Doc, "remove_lines(0, 1)");
        Assert.Equal(RefineOutcome.Kept, chunkCall.Outcome);
        Assert.Contains("chunk-level function", Assert.Single(chunkCall.Errors).Reason);
    }

    [Theory]
    [InlineData("remove_lines(-1, 2)", "line numbers start at 0")]
    [InlineData("remove_lines(3, 1)", "line_start is after line_end")]
    [InlineData("remove_lines(1)", "missing argument 'line_end'")]
    [InlineData("remove_lines(1, 2, 3)", "takes 2 arguments (3 given)")]
    [InlineData("remove_lines(1, line_start=2)", "got two values for 'line_start'")]
    [InlineData("remove_lines(all=True)", "has no argument 'all'")]
    [InlineData("remove_lines('1', 2)", "'line_start' must be an int, not a string")]
    [InlineData("normalize(1, \"x\")", "'source_str' must be a string, not an int")]
    [InlineData("normalize(\"\", \"x\")", "source_str is empty")]
    [InlineData("normalize(\" \", \"\")", "single space")]
    [InlineData("normalize()", "missing argument 'source_str'")]
    [InlineData("skip_chunk(1)", "takes 0 arguments (1 given)")]
    [InlineData("drop_doc()", "document-level function")]
    [InlineData("__import__('os').system('rm -rf /')", "unexpected text after the call: '.system(")]
    [InlineData("System.IO.File.Delete(\"/etc/passwd\")", "expected '(' after 'System'")]
    public void MisusedCallsAreErrorsWithReasonsAndDoNothing(string program, string reason)
    {
        var r = Strict.RunChunkProgram(Doc, program);
        Assert.Contains(reason, Assert.Single(r.Errors).Reason);
        Assert.Equal(1, r.Errors[0].Line);
        Assert.Equal(Doc, r.Text);
        Assert.Empty(r.RemovedLines);
    }

    [Fact]
    public void ANormalizeThatWouldGrowTheDocumentPastTheLimitIsRefused()
    {
        var options = new ProxOptions { Limits = new ProgramLimits { MaxGrowth = 2, MaxArgumentChars = 100 } };
        string text = string.Join(' ', Enumerable.Repeat("ab", 50));   // 149 characters, 50 words
        var grow = new ProgramInterpreter(options).RunChunkProgram(text, $"normalize(\"ab\", \"{new string('x', 10)}\")");
        // 149 + 50 × 8 = 549 > 2 × 149 + 100 = 398.
        Assert.Contains("past the limit of 398", Assert.Single(grow.Errors).Reason);
        Assert.Equal(text, grow.Text);
        var fits = new ProgramInterpreter(options).RunChunkProgram(text, "normalize(\"ab\", \"abcd\")");   // 249 ≤ 398
        Assert.Empty(fits.Errors);
        Assert.Equal(249, fits.Text!.Length);
    }

    [Fact]
    public void NormalizationCountIsBounded()
    {
        var options = new ProxOptions { Limits = new ProgramLimits { MaxNormalizations = 3 } };
        var program = string.Join('\n', Enumerable.Repeat("normalize(\"one\", \"one\")", 5));
        var r = new ProgramInterpreter(options).RunChunkProgram(Doc, program);
        Assert.Equal(3, r.Normalizations.Count);
        Assert.Equal([4, 5], r.Errors.Select(e => e.Line));
    }

    [Fact]
    public void CodeInProgramsIsNeverRun()
    {
        var dir = Directory.CreateTempSubdirectory("rk-prox-");
        try
        {
            var victim = Path.Combine(dir.FullName, "victim.txt");
            File.WriteAllText(victim, "still here");
            var programs = new[]
            {
                $"System.IO.File.Delete(\"{victim}\")",
                $"__import__('os').remove('{victim}')",
                $"exec(\"import os; os.remove('{victim}')\")",
                $"eval(compile('open(\"{victim}\", \"w\")', 'x', 'exec'))",
                $"normalize(source_str=__import__('os').remove('{victim}'), target_str='')",
            };
            foreach (var program in programs)
                foreach (var options in new[] { ProxOptions.Default, ProxOptions.Reference })
                {
                    var interpreter = new ProgramInterpreter(options);
                    Assert.Equal(Doc, interpreter.RunChunkProgram(Doc, program).Text);
                    _ = interpreter.RunDocumentProgram(Doc, program);
                }
            Assert.Equal("still here", File.ReadAllText(victim));
        }
        finally { dir.Delete(recursive: true); }
    }
}
