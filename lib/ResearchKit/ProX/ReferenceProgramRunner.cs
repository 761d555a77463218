namespace ResearchKit.ProX;

/// <summary>
/// <see cref="ProxDialect.Reference"/>: programs read with the reference implementation's string operations
/// (GAIR-NLP/ProX, <c>utils/doc_utils.py</c> and <c>utils/chunk_utils.py</c>), quirks (⚠) included, so refined data
/// can be compared with published ProX data. Implemented from the behaviour, not the code. The quirks:
/// <list type="bullet">
/// <item>Document level: the substring "drop" anywhere (case-sensitive) drops, so <c>keep_doc() # drop</c> drops and
/// <c>DROP_DOC()</c> keeps. No errors are counted.</item>
/// <item>Ops are the lines of <c>program.strip(" ")</c>; an op is recognised only by its prefix
/// (<c>remove_lines…</c>, <c>normalize…</c>); anything else (<c>skip_chunk()</c>, an indented line, prose) is
/// ignored without an error.</item>
/// <item>Arguments run from the first '(' to the first ')' and are split on ','. A missing ')' counts an error and
/// reads up to the last character but one (dropping it); a ')' inside a string cuts the argument there, so
/// <c>normalize(source_str="(c) 2024", ...)</c> sees <c>source_str="(c</c>.</item>
/// <item><c>remove_lines</c>: each value is the text after the first '=' converted by <c>int()</c>, so only the keyword
/// form parses (<c>remove_lines(3, 5)</c> is an error); arguments past the second are ignored; negative or reversed
/// ranges are not errors (they remove nothing). An op containing <c>all=True</c> marks every line of the original
/// text for removal, replacing the lines marked so far.</item>
/// <item><c>normalize</c>: one argument deletes its value; two replace; more than two (a ',' inside a string) are
/// ignored without an error. Values are the text after the first '=' with '"' stripped from both ends, so single
/// quotes stay part of the value, and spaces around '=' leave a space in it: neither matches anything. A source of
/// "" or " " is skipped.</item>
/// <item>After merging, each removal range that starts or ends past the last line counts one error.</item>
/// </list>
/// Where the reference could hang or exhaust memory, this port stays bounded instead: removal ranges are kept as
/// intervals (the reference enumerates every line number, so <c>line_end=10**12</c> hangs it); integers beyond ±2^62
/// saturate; and the <see cref="ProgramLimits"/> (program length and lines, normalization count and growth) count an
/// error where the reference has no limit. Documents of only white space are dropped (the reference divides by zero).
/// </summary>
internal static class ReferenceProgramRunner
{
    public static RefineResult RunDocument(string text, string program, int words) =>
        program.AsSpan().Trim(' ').Contains("drop", StringComparison.Ordinal)
            ? new RefineResult(RefineOutcome.DroppedByProgram, null, [], [], [], words, 0, 1)
            : new RefineResult(RefineOutcome.Kept, text, [], [], [], words, words, 1);

    public static RefineResult RunChunks(string text, string program, int words, ProxOptions options)
    {
        var limits = options.Limits;
        var errors = new List<ProgramError>();
        if (program.Length > limits.MaxProgramChars)
        {
            program = program[..(program.LastIndexOf('\n', limits.MaxProgramChars - 1) + 1)];   // whole lines only
            errors.Add(new ProgramError(0, $"program longer than {limits.MaxProgramChars} characters; the rest is ignored"));
        }
        var ops = program.Trim(' ').Split('\n');
        if (ops.Length > limits.MaxLines)
        {
            errors.Add(new ProgramError(limits.MaxLines + 1, $"more than {limits.MaxLines} program lines; the rest is ignored"));
            ops = ops[..limits.MaxLines];
        }
        int originalLines = ProgramInterpreter.CountLines(text);
        var intervals = new List<(LineRange Range, int Line)>();   // for the past-the-end errors
        var marked = new List<LineRange>();                         // the lines to remove (the reference's set)
        var normalizer = new ProgramInterpreter.Normalizer(text, limits);
        int operations = 0;
        for (int k = 0; k < ops.Length; k++)
        {
            string op = ops[k];
            int line = k + 1;
            bool removeLines = op.StartsWith("remove_lines", StringComparison.Ordinal);
            if (removeLines && op.Contains("all=True", StringComparison.Ordinal))
            {
                operations++;
                marked.Clear();
                marked.Add(new LineRange(0, originalLines - 1));
                continue;
            }
            if (!removeLines && !op.StartsWith("normalize", StringComparison.Ordinal)) continue;
            operations++;
            string name = removeLines ? "remove_lines" : "normalize";
            int open = op.IndexOf('(');
            if (open < 0)
            {
                errors.Add(new ProgramError(line, $"{name}: no '('"));
                continue;
            }
            int start = open + 1, end = op.IndexOf(')');
            if (end < 0)
            {
                errors.Add(new ProgramError(line, $"{name}: no ')' (the reference then reads up to the last character but one)"));
                end = op.Length - 1;
            }
            var parts = (end > start ? op[start..end] : "").Split(',');
            if (removeLines)
            {
                if (parts.Length < 2 || !TryKeywordInt(parts[0], out long a) || !TryKeywordInt(parts[1], out long b))
                {
                    errors.Add(new ProgramError(line, "remove_lines: the reference reads two 'name=int' arguments"));
                    continue;
                }
                intervals.Add((new LineRange(a, b), line));
                if (a <= b) marked.Add(new LineRange(a, b));
            }
            else if (parts.Length == 1)
            {
                if (!TryKeywordString(parts[0], out var source))
                {
                    errors.Add(new ProgramError(line, "normalize: the reference reads 'name=value' arguments"));
                    continue;
                }
                if (source.Length == 0) normalizer.Applied.Add(new Normalization(line, source, "", 0));   // "".replace("", "") changes nothing
                else if (normalizer.Apply(line, source, "") is { } refused) errors.Add(refused);
            }
            else if (parts.Length == 2)
            {
                if (!TryKeywordString(parts[0], out var source) || !TryKeywordString(parts[1], out var target))
                {
                    errors.Add(new ProgramError(line, "normalize: the reference reads 'name=value' arguments"));
                    continue;
                }
                if (source is "" or " ") normalizer.Applied.Add(new Normalization(line, source, target, 0));
                else if (normalizer.Apply(line, source, target) is { } refused) errors.Add(refused);
            }
            // More than two parts: ignored, no error (⚠).
        }

        string normalized = normalizer.Text;
        int lineCount = ProgramInterpreter.CountLines(normalized);
        foreach (var (range, line) in LineRange.MergeWithLines(intervals))
        {
            if (range.Start >= lineCount) errors.Add(new ProgramError(line, $"remove_lines: lines {range} start past the last line ({lineCount - 1})"));
            else if (range.End >= lineCount) errors.Add(new ProgramError(line, $"remove_lines: lines {range} end past the last line ({lineCount - 1})"));
        }
        var removed = new List<LineRange>();
        foreach (var r in LineRange.Merge(marked))
        {
            long a = Math.Max(r.Start, 0), b = Math.Min(r.End, lineCount - 1);
            if (a <= b) removed.Add(new LineRange(a, b));
        }
        errors.Sort((x, y) => x.Line.CompareTo(y.Line));
        int wordsNormalized = ReferenceEquals(normalized, text) ? words : PythonText.CountWords(normalized);
        string processed = ProgramInterpreter.RemoveLines(normalized, removed, out int removedWords);
        return ProgramInterpreter.Decide(text, words, processed, wordsNormalized - removedWords, errors, removed,
                                         normalizer.Applied, operations, options);
    }

    /// <summary><c>int(part.split("=")[1])</c>.</summary>
    static bool TryKeywordInt(string part, out long value)
    {
        value = 0;
        return Value(part) is { } v && PythonText.TryParseInt(v, out value);
    }

    /// <summary><c>part.split("=")[1].strip('"')</c>.</summary>
    static bool TryKeywordString(string part, out string value)
    {
        value = Value(part)?.Trim('"') ?? "";
        return Value(part) is not null;
    }

    /// <summary><c>part.split("=")[1]</c>: between the first and second '=', or null when there is no '='.</summary>
    static string? Value(string part)
    {
        int eq = part.IndexOf('=');
        if (eq < 0) return null;
        int next = part.IndexOf('=', eq + 1);
        return next < 0 ? part[(eq + 1)..] : part[(eq + 1)..next];
    }
}
