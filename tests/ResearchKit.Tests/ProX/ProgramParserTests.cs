using ResearchKit.ProX;

namespace ResearchKit.Tests.ProX;

public sealed class ProgramParserTests
{
    static ProgramCall Single(string program)
    {
        var parsed = ProgramParser.Parse(program);
        Assert.Empty(parsed.Errors);
        return Assert.Single(parsed.Calls);
    }

    static ProgramError SingleError(string program)
    {
        var parsed = ProgramParser.Parse(program);
        Assert.Empty(parsed.Calls);
        return Assert.Single(parsed.Errors);
    }

    [Fact]
    public void ReadsKeywordPositionalAndMixedArguments()
    {
        var call = Single("remove_lines(line_start=3, line_end=5)");
        Assert.Equal("remove_lines", call.Function);
        Assert.Equal([new ProgramArgument("line_start", new ProgramValue.Int(3)), new ProgramArgument("line_end", new ProgramValue.Int(5))], call.Arguments);

        Assert.Equal([new ProgramArgument(null, new ProgramValue.Int(3)), new ProgramArgument(null, new ProgramValue.Int(-5))],
                     Single("remove_lines(3, -5)").Arguments);
        Assert.Equal([new ProgramArgument(null, new ProgramValue.Int(7)), new ProgramArgument("line_end", new ProgramValue.Int(1_000))],
                     Single("remove_lines(+7, line_end=1_000)").Arguments);
        Assert.Equal([new ProgramArgument("all", new ProgramValue.Bool(true))], Single("remove_lines(all=True)").Arguments);
        Assert.Empty(Single("drop_doc()").Arguments);
    }

    [Fact]
    public void WhitespaceAnywhereTrailingCommaAndComments()
    {
        var call = Single("  \t remove_lines (  3 ,\tline_end = 4 , )   # boilerplate\r");
        Assert.Equal("remove_lines(3, line_end=4)", call.ToString());
    }

    [Fact]
    public void LineNumbersAreOneBasedAcrossBlankAndCommentLines()
    {
        var parsed = ProgramParser.Parse("# header\n\nkeep_chunk()\n   \nremove_lines(1, 2)\n@@@\n");
        Assert.Equal([3, 5], parsed.Calls.Select(c => c.Line));
        Assert.Equal(6, Assert.Single(parsed.Errors).Line);
    }

    [Fact]
    public void StringEscapesInBothQuoteStyles()
    {
        var call = Single("""normalize("a\"b\\n\tc", 'it\'s \x41\u00e9\U0001F600 \. "ok"')""");
        Assert.Equal(new ProgramValue.Str("a\"b\\n\tc"), call.Arguments[0].Value);
        // Python keeps an unknown escape ("\.") as written.
        Assert.Equal(new ProgramValue.Str("it's Aé\U0001F600 \\. \"ok\""), call.Arguments[1].Value);
        Assert.Equal(new ProgramValue.Str("# not a comment"), Single("normalize('# not a comment', \"\")").Arguments[0].Value);
    }

    [Fact]
    public void QuoteRoundTripsAnyText()
    {
        foreach (var text in new[] { "", "plain", "quote \" and ' and \\ ", "new\nline\r\ttab\0nul", "emoji \U0001F600", "\u0001\u007f" })
            Assert.Equal(new ProgramValue.Str(text), Single($"normalize({ProgramText.Quote(text)})").Arguments[0].Value);
    }

    [Theory]
    [InlineData("remove_lines(3, 5", "missing ')'")]
    [InlineData("remove_lines 3, 5)", "expected '(' after 'remove_lines'")]
    [InlineData("normalize(\"abc, \"x\")", "expected ',' or ')'")]
    [InlineData("normalize(\"abc)", "unterminated string literal")]
    [InlineData("normalize('abc\\", "unterminated string literal")]
    [InlineData("remove_lines(((((1))))", "unexpected '('")]
    [InlineData("remove_lines(len(x), 2)", "not a call to 'len'")]
    [InlineData("remove_lines(x, 2)", "unknown name 'x'")]
    [InlineData("remove_lines(line_start=1, 2)", "positional argument after a keyword argument")]
    [InlineData("remove_lines(1, 2) remove_lines(3, 4)", "unexpected text after the call")]
    [InlineData("remove_lines(1, 2);", "unexpected text after the call")]
    [InlineData("remove_lines(99999999999999999999, 2)", "out of range")]
    [InlineData("remove_lines(1__0, 2)", "two '_' in a row")]
    [InlineData("remove_lines(12abc, 2)", "malformed int literal")]
    [InlineData("remove_lines(3.5, 4)", "expected ',' or ')'")]
    [InlineData("remove_lines(-, 4)", "expected digits after the sign")]
    [InlineData("normalize(\"\\uD800\")", "unpaired surrogate")]
    [InlineData("normalize(\"\\U00110000\")", "beyond Unicode")]
    [InlineData("normalize(\"\\xZZ\")", "hex digits")]
    [InlineData("1 + 1", "expected a function name")]
    [InlineData("```python", "expected a function name")]
    public void MalformedLinesGiveOneErrorWithAReason(string program, string reason)
    {
        var error = SingleError(program);
        Assert.Equal(1, error.Line);
        Assert.Contains(reason, error.Reason);
    }

    [Fact]
    public void ParsingContinuesAfterAnError()
    {
        var parsed = ProgramParser.Parse("remove_lines(1, 2\nkeep_chunk()\nnormalize('x\nremove_lines(3, 4)");
        Assert.Equal(["keep_chunk", "remove_lines"], parsed.Calls.Select(c => c.Function));
        Assert.Equal([1, 3], parsed.Errors.Select(e => e.Line));
    }

    [Fact]
    public void LimitsCountOneErrorAndIgnoreTheRest()
    {
        var limits = new ProgramLimits { MaxLines = 3, MaxArgumentChars = 5, MaxProgramChars = 40 };
        var parsed = ProgramParser.Parse("keep_chunk()\nkeep_chunk()\nkeep_chunk()\nkeep_chunk()\nkeep_chunk()", limits with { MaxProgramChars = 1000 });
        Assert.Equal(3, parsed.Calls.Count);
        Assert.Equal(4, Assert.Single(parsed.Errors).Line);

        Assert.Contains("longer than 5 characters", Assert.Single(ProgramParser.Parse("normalize(\"123456\")", limits).Errors).Reason);

        // 40 characters: the first two lines (26 chars with their breaks) are read, the rest is cut at a line break.
        parsed = ProgramParser.Parse("keep_chunk()\nkeep_chunk()\nremove_lines(1, 2)\nkeep_chunk()", limits);
        Assert.Equal(2, parsed.Calls.Count);
        Assert.Contains("longer than 40 characters", Assert.Single(parsed.Errors).Reason);
    }
}
