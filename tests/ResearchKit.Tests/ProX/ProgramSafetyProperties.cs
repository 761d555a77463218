using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ResearchKit.ProX;

namespace ResearchKit.Tests.ProX;

/// <summary>A program text built to break interpreters: well-formed and misused calls, code, huge numbers, nested
/// parentheses, unterminated strings, 1 MB arguments, lone surrogates, bytes that were not UTF-8, thousands of lines.</summary>
public sealed record AdversarialProgram(string Text)
{
    public override string ToString() => Text.Length > 300 ? $"{Text[..300]}… ({Text.Length} chars)" : Text;
}

/// <summary>A document: lines of words the programs target, sometimes empty, whitespace-only, huge or not Unicode.</summary>
public sealed record AdversarialDocument(string Text)
{
    public override string ToString() => Text.Length > 300 ? $"{Text[..300]}… ({Text.Length} chars)" : Text;
}

public static class AdversarialArbitraries
{
    static readonly string[] Functions =
        ["remove_lines", "normalize", "drop_doc", "keep_doc", "skip_chunk", "keep_chunk", "DROP_DOC", "remove_everything",
         "__import__", "System.IO.File.Delete", "exec", "eval", "os.system", "print", ""];

    static readonly string[] Keywords = ["line_start", "line_end", "source_str", "target_str", "all", "x", "__class__"];

    static readonly string[] Words = ["one", "two", "drop", "(c)", "2024", "keep", "the", "lorem", "ipsum", "a,b", "\"q\"", "'s'", "é", "\U0001F600", "\t", ""];

    static Gen<string> Int() => Gen.OneOf(
        Gen.Choose(-5, 60).Select(i => i.ToString()),
        Gen.Elements("0", "-0", "+3", "1_000", "2147483647", "-2147483648", "9223372036854775807", "-9223372036854775808",
                     "9223372036854775808", "99999999999999999999999999", "1e9", "0x10", "3.5", "٣", " 4 ", "10**12"));

    static Gen<string> Str() => Gen.OneOf(
        Gen.Elements(Words).Select(w => $"\"{w}\""),
        Gen.Elements(Words).Select(w => $"'{w}'"),
        Gen.Elements("\"(c) 2024\"", "\"a\\\"b\"", "'it\\'s'", "\"\\n\"", "\"\\uD800\"", "\"\\U0010FFFF\"", "\"\\x4\"", "\"unterminated",
                     "'also unterminated", "\"ends with backslash\\", "\"\"", "\" \"", "\"\\\\\""),
        ArbMap.Default.GeneratorFor<string>().Select(s => "\"" + (s ?? "") + "\""));

    static Gen<string> Arg() => Gen.Frequency(
        (5, Gen.OneOf(Int(), Str())),
        (4, Gen.Elements(Keywords).SelectMany(k => Gen.OneOf(Int(), Str(), Gen.Constant("True"))
                                                       .SelectMany(v => Gen.Elements("=", " = ", "==", "").Select(eq => k + eq + v)))),
        (1, Gen.Choose(1, 3000).Select(n => new string('(', n) + "1" + new string(')', n / 2))),
        (1, Gen.Elements("__import__('os').remove('/tmp/x')", "lambda: 0", "[1, 2]", "{'a': 1}", "None", "x.y(z)", "*args", "**kw")));

    static Gen<string> Keyword(string name, Gen<string> value) =>
        Gen.OneOf(value, value.SelectMany(v => Gen.Elements("=", "=", " = ").Select(eq => name + eq + v)));

    /// <summary>Calls of the function set with about the right arguments: the cases that reach execution.</summary>
    static Gen<string> KnownCall() => Gen.OneOf(
        from a in Keyword("line_start", Int()) from b in Keyword("line_end", Int()) from close in Gen.Elements(")", ")", "")
        select $"remove_lines({a}, {b}{close}",
        from a in Keyword("source_str", Str()) from b in Keyword("target_str", Str()) from n in Gen.Choose(1, 3)
        select n == 1 ? $"normalize({a})" : n == 2 ? $"normalize({a}, {b})" : $"normalize({a}, {b}, {a})",
        Gen.Elements("drop_doc()", "keep_doc()", "skip_chunk()", "keep_chunk()", "remove_lines(all=True)", "keep_doc() # drop"));

    static Gen<string> Call() => Gen.Frequency((3, KnownCall()), (2, AnyCall()));

    static Gen<string> AnyCall() =>
        from f in Gen.Elements(Functions)
        from args in Gen.ListOf(Arg()).Select(a => a.Take(5).ToList())
        from sep in Gen.Elements(", ", ",", " ,  ", ",\t")
        from open in Gen.Elements("(", " (", "")
        from close in Gen.Elements(")", ")", ")", "", "))", ") # comment", ") drop", ");")
        from indent in Gen.Elements("", "", "  ", "\t")
        select indent + f + open + string.Join(sep, args) + close;

    static Gen<string> Noise() => Gen.OneOf(
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""),
        ArbMap.Default.GeneratorFor<byte[]>().Select(b => Encoding.UTF8.GetString(b ?? [])),     // invalid UTF-8 → U+FFFD
        ArbMap.Default.GeneratorFor<byte[]>().Select(b => Encoding.Latin1.GetString(b ?? [])),
        Gen.Elements("\uD800", "\uDFFF\uD800", "\0", "\u202E", "# only a comment", "", "```", "```python", "Here is the program:"));

    static Gen<string> Line() => Gen.Frequency((8, Call()), (3, Noise()));

    static Gen<string> Program() => Gen.Frequency(
        (40, from lines in Gen.ListOf(Line()) from nl in Gen.Elements("\n", "\r\n") select string.Join(nl, lines)),
        (1, Gen.Elements("normalize(\"", "normalize(source_str=\"", "normalize(source_str=\"one\", target_str=\"")
                .Select(prefix => prefix + new string('x', 1 << 20) + "\")")),
        (1, Gen.Constant(string.Join('\n', Enumerable.Repeat("keep_chunk()", 5000)))),
        (1, Gen.Constant("remove_lines(" + new string('(', 200_000))),
        (1, Gen.Constant(string.Join('\n', Enumerable.Repeat("normalize(source_str=\"one\", target_str=\"" + new string('1', 3000) + "\")", 300)))));

    static Gen<string> DocLine() =>
        Gen.ListOf(Gen.Elements(Words)).Select(ws => string.Join(' ', ws.Take(15)));

    static Gen<string> Document() => Gen.Frequency(
        (20, Gen.ListOf(DocLine()).Select(ls => string.Join('\n', ls))),
        (2, Gen.Elements("", " ", "\n\n", "\t\u00a0\u3000", "\u001c\u001d")),
        (2, Noise()),
        (1, Gen.Constant(string.Join('\n', Enumerable.Repeat("one two (c) 2024 drop the", 3000)))));

    public static Arbitrary<AdversarialProgram> Programs() => Arb.From(Program().Select(t => new AdversarialProgram(t)));
    public static Arbitrary<AdversarialDocument> Documents() => Arb.From(Document().Select(t => new AdversarialDocument(t)));
}

/// <summary>
/// Whatever the program and document, the interpreter returns a result (never throws), in both dialects and at both
/// levels; the result is consistent (a drop has no text, an ignored program keeps the original); and the work is
/// bounded by the limits: calls executed, errors, text growth. Seeded, so every run checks the same cases.
/// </summary>
public sealed class ProgramSafetyProperties
{
    static readonly ProgramInterpreter[] Interpreters = [new(ProxOptions.Default), new(ProxOptions.Reference)];

    [Property(MaxTest = 300, Replay = "(20240601,1234567)", Arbitrary = [typeof(AdversarialArbitraries)])]
    public bool ChunkProgramsAlwaysGiveABoundedConsistentResult(AdversarialProgram program, AdversarialDocument document)
    {
        foreach (var interpreter in Interpreters)
        {
            var limits = interpreter.Options.Limits;
            var r = interpreter.RunChunkProgram(document.Text, program.Text);
            bool empty = PythonText.CountWords(document.Text) == 0;
            Assert.Equal(empty, r.Outcome == RefineOutcome.DroppedEmpty);
            Assert.Equal(r.Outcome.IsDrop(), r.Dropped);
            Assert.Contains(r.Outcome, new[] { RefineOutcome.Processed, RefineOutcome.ErrorsKeptOriginal, RefineOutcome.DroppedMostlyRemoved,
                                               RefineOutcome.DroppedTooFewWords, RefineOutcome.DroppedEmpty });
            if (r.Outcome == RefineOutcome.ErrorsKeptOriginal)
            {
                Assert.Same(document.Text, r.Text);
                Assert.True(r.Errors.Count >= 2);
            }
            if (r.Outcome == RefineOutcome.Processed)
            {
                Assert.True(r.Errors.Count < 2);
                Assert.True(r.WordsAfter > 10);
                Assert.True(r.Text!.Length <= limits.MaxTextLength(document.Text.Length));
            }
            Assert.InRange(r.Operations, 0, limits.MaxLines);
            Assert.InRange(r.Errors.Count, 0, 2 * limits.MaxLines + 2);
            Assert.InRange(r.Normalizations.Count, 0, limits.MaxNormalizations + limits.MaxLines);
            Assert.All(r.Errors, e => Assert.InRange(e.Line, 0, limits.MaxLines + 1));
            for (int i = 0; i < r.RemovedLines.Count; i++)
            {
                Assert.InRange(r.RemovedLines[i].Start, 0, r.RemovedLines[i].End);
                if (i > 0) Assert.True(r.RemovedLines[i].Start > r.RemovedLines[i - 1].End + 1);
            }
            // Deterministic.
            var again = interpreter.RunChunkProgram(document.Text, program.Text);
            Assert.Equal((r.Outcome, r.Text, r.Errors.Count), (again.Outcome, again.Text, again.Errors.Count));
        }
        return true;
    }

    [Property(MaxTest = 300, Replay = "(20240602,7654321)", Arbitrary = [typeof(AdversarialArbitraries)])]
    public bool DocumentProgramsKeepTheTextOrDropIt(AdversarialProgram program, AdversarialDocument document)
    {
        foreach (var interpreter in Interpreters)
        {
            var r = interpreter.RunDocumentProgram(document.Text, program.Text);
            Assert.Contains(r.Outcome, new[] { RefineOutcome.Kept, RefineOutcome.DroppedByProgram, RefineOutcome.DroppedEmpty });
            if (r.Outcome == RefineOutcome.Kept) Assert.Same(document.Text, r.Text);
            else Assert.Null(r.Text);
            Assert.InRange(r.Operations, 0, interpreter.Options.Limits.MaxLines);
            if (interpreter.Options.Dialect == ProxDialect.Reference && r.Outcome != RefineOutcome.DroppedEmpty)
                Assert.Equal(program.Text.Contains("drop", StringComparison.Ordinal), r.Dropped);
        }
        return true;
    }

    [Property(MaxTest = 200, Replay = "(20240603,1111111)", Arbitrary = [typeof(AdversarialArbitraries)])]
    public bool ParserReportsEveryLineAsACallOrAnErrorOrNothing(AdversarialProgram program)
    {
        var parsed = ProgramParser.Parse(program.Text);
        var lines = new HashSet<int>(parsed.Calls.Select(c => c.Line));
        Assert.All(parsed.Errors, e => Assert.DoesNotContain(e.Line, lines));   // one verdict per line
        Assert.True(parsed.Calls.Count + parsed.Errors.Count <= ProgramLimits.Default.MaxLines + 2);
        Assert.All(parsed.Calls, c => Assert.All(c.Arguments, a =>
            Assert.True(a.Value is not ProgramValue.Str s || (s.Value.Length <= ProgramLimits.Default.MaxArgumentChars && !ProgramParser.HasUnpairedSurrogate(s.Value)))));
        return true;
    }
}

/// <summary>The interpreter's fast paths against the obvious implementations they replace.</summary>
public sealed class FastPathProperties
{
    static Gen<string> Text() =>
        Gen.ListOf(Gen.Elements("", "a", "one two", "  x  ", "\t", "é ü", "\u00a0nbsp\u2003", "w\u001cx", "\U0001F600 y", "abcdefghijklmnopqrstu vwxyz"))
           .Select(parts => string.Join('\n', parts.Select((p, i) => i % 3 == 0 ? p + " " + p : p)));

    [Property(MaxTest = 500, Replay = "(20240604,3333333)")]
    public Property RemoveLinesEqualsSplitFilterJoin() =>
        Prop.ForAll(Arb.From(Text()), Arb.From(Gen.ListOf(Gen.Two(Gen.Choose(0, 12)))), (text, pairs) =>
        {
            var lines = text.Split('\n');
            var ranges = LineRange.Merge(pairs.Select(p => new LineRange(Math.Min(p.Item1, p.Item2), Math.Max(p.Item1, p.Item2))))
                                  .Where(r => r.Start < lines.Length).Select(r => r with { End = Math.Min(r.End, lines.Length - 1) }).ToList();
            var expected = string.Join('\n', lines.Where((_, k) => !ranges.Any(r => r.Contains(k))));
            var actual = ProgramInterpreter.RemoveLines(text, ranges, out int removedWords);
            Assert.Equal(expected, actual);
            Assert.Equal(PythonText.CountWords(text) - PythonText.CountWords(expected), removedWords);
        });

    [Property(MaxTest = 500, Replay = "(20240605,5555555)")]
    public Property CountWordsEqualsPythonSplit() =>
        Prop.ForAll(Arb.From(Gen.OneOf(Text(), ArbMap.Default.GeneratorFor<string>().Select(s => s ?? ""))), text =>
            Assert.Equal(PythonText.SplitWords(text).Count, PythonText.CountWords(text)));
}
