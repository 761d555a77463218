using System.Text;
using ResearchKit.ProX;

namespace ResearchKit.Tests.ProX;

/// <summary>The named hostile inputs, one by one, with the outcome each must have (the property tests cover their
/// combinations).</summary>
public sealed class AdversarialProgramTests
{
    static readonly string Doc = string.Join('\n', Enumerable.Range(0, 6).Select(i => $"line {i} has some ordinary words in it"));
    static readonly ProgramInterpreter Strict = new();
    static readonly ProgramInterpreter Reference = new(ProxOptions.Reference);

    [Fact]
    public void AOneMegabyteArgumentIsAnErrorNotAnAllocationSpree()
    {
        var big = new string('x', 1_000_000);   // 1 MB, inside the 1 MiB program limit
        var r = Strict.RunChunkProgram(Doc, $"normalize(\"{big}\", \"\")\nremove_lines(0, 0)");
        Assert.Contains("longer than 4096 characters", Assert.Single(r.Errors).Reason);
        Assert.Equal([new LineRange(0, 0)], r.RemovedLines);
        // The reference reads it as text: no match, nothing happens; as a target it would grow the text: refused.
        Assert.Equal(Doc, Reference.RunChunkProgram(Doc, $"normalize(source_str=\"{big}\", target_str=\"\")").Text);
        var grow = Reference.RunChunkProgram(Doc, $"normalize(source_str=\"line\", target_str=\"{big}\")");
        Assert.Contains("past the limit", Assert.Single(grow.Errors).Reason);
        Assert.Equal(Doc, grow.Text);
        // Past the program limit (1 MiB) the rest is not read at all: one error.
        var cut = Strict.RunChunkProgram(Doc, $"remove_lines(0, 0)\nnormalize(\"{big}{big}\", \"\")\nremove_lines(1, 1)");
        Assert.Equal([new LineRange(0, 0)], cut.RemovedLines);
        Assert.Contains("program longer than 1048576 characters", Assert.Single(cut.Errors).Reason);
    }

    [Fact]
    public void DeeplyNestedParenthesesAreOneErrorWithoutRecursion()
    {
        var nested = "remove_lines(" + new string('(', 500_000) + "1" + new string(')', 500_000);
        foreach (var interpreter in new[] { Strict, Reference })
        {
            var r = interpreter.RunChunkProgram(Doc, nested);
            Assert.Single(r.Errors);
            Assert.Equal(Doc, r.Text);
        }
    }

    [Theory]
    [InlineData("remove_lines(4, 9223372036854775807)", 4, 5)]
    [InlineData("remove_lines(line_start=4, line_end=9223372036854775807)", 4, 5)]
    [InlineData("remove_lines(2147483647, 2147483648)", -1, -1)]
    public void HugeLineNumbersAreClippedOrPastTheEnd(string program, long start, long end)
    {
        var r = Strict.RunChunkProgram(Doc, program);
        Assert.Single(r.Errors);
        Assert.Equal(start < 0 ? [] : [new LineRange(start, end)], r.RemovedLines);
    }

    [Fact]
    public void NegativeAndReversedRangesAreErrorsInTheKitsDialect()
    {
        var r = Strict.RunChunkProgram(Doc, "remove_lines(-5, 2)\nremove_lines(3, -1)\nremove_lines(4, 2)");
        Assert.Equal(3, r.Errors.Count);
        Assert.Same(Doc, r.Text);   // ≥ 2 errors: original kept
        Assert.Equal(RefineOutcome.ErrorsKeptOriginal, r.Outcome);
    }

    [Fact]
    public void UnterminatedStringsAndLoneSurrogatesAndBytesThatWereNotUtf8()
    {
        var invalidUtf8 = Encoding.UTF8.GetString([0x6e, 0x6f, 0xff, 0xfe, 0xc3, 0x28]);   // → "no\uFFFD\uFFFD\uFFFD("
        var programs = new[]
        {
            "normalize(\"unterminated, \"x\")",
            "normalize('\uD800', '')",
            "normalize(\"\uDC00\uD800\")",
            invalidUtf8,
            "remove_lines(0, 1) \uD83D",
            Encoding.Latin1.GetString([0x72, 0x65, 0x6d, 0x6f, 0x76, 0x65, 0x00, 0x81, 0xff]),
        };
        foreach (var program in programs)
        {
            var r = Strict.RunChunkProgram(Doc, program);
            Assert.Single(r.Errors);
            Assert.Equal(Doc, r.Text);
            Assert.NotNull(Reference.RunChunkProgram(Doc, program).Text);
        }
        // A document that is not valid UTF-16 is still just text.
        var broken = Doc + "\n\uD800 lone \uDFFF surrogates";
        Assert.Equal(Doc, Strict.RunChunkProgram(broken, "remove_lines(6, 6)").Text);
    }

    [Fact]
    public void ThousandsOfLinesStopAtTheLineLimit()
    {
        var program = string.Join('\n', Enumerable.Repeat("remove_lines(0, 0)", 100_000));
        var r = Strict.RunChunkProgram(Doc, program);
        Assert.Equal(ProgramLimits.Default.MaxLines, r.Operations);
        Assert.Contains("more than 4096 program lines", Assert.Single(r.Errors).Reason);
        Assert.Equal([new LineRange(0, 0)], r.RemovedLines);
        var reference = Reference.RunChunkProgram(Doc, program);
        Assert.Equal(ProgramLimits.Default.MaxLines, reference.Operations);
    }
}
