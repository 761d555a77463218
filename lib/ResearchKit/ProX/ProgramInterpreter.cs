using System.Text;

namespace ResearchKit.ProX;

/// <summary>
/// Runs ProX programs on documents, safely: a program is parsed (<see cref="ProgramParser"/>) and interpreted, never
/// compiled or evaluated; it can touch nothing but the document string; work is bounded by
/// <see cref="ProgramLimits"/>; no program text makes it throw. Thread-safe.
/// <para>Document level (<see cref="RunDocumentProgram"/>): <c>drop_doc()</c> drops, anything else keeps the text.
/// Chunk level (<see cref="RunChunkProgram"/>), the reference's execution rules: calls run in order;
/// <c>normalize</c> replaces every occurrence in the whole document at once; <c>remove_lines</c> ranges are 0-based,
/// inclusive and document-global, collected and applied last to the normalized text; after merging, each range that
/// starts or ends past the last line counts one error. Then the first matching rule decides: kept words / original
/// words ≤ 1 − <see cref="ProxOptions.DropRemovedWordFraction"/> with fewer than
/// <see cref="ProxOptions.ErrorsToKeepOriginal"/> errors drops; ≤ <see cref="ProxOptions.MinWords"/> words left drops;
/// fewer errors than the threshold keeps the edited text; otherwise the original text is kept.</para>
/// <para>Empty or whitespace-only documents are dropped (<see cref="RefineOutcome.DroppedEmpty"/>) at both levels.
/// With <see cref="ProxDialect.Reference"/> the program text is read as the reference reads it
/// (<see cref="ReferenceProgramRunner"/>); the execution rules are the same.</para>
/// </summary>
public sealed class ProgramInterpreter(ProxOptions? options = null)
{
    public ProxOptions Options { get; } = options ?? ProxOptions.Default;

    public RefineResult RunDocumentProgram(string text, string program)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(program);
        int words = PythonText.CountWords(text);
        if (words == 0) return Empty();
        if (Options.Dialect == ProxDialect.Reference) return ReferenceProgramRunner.RunDocument(text, program, words);

        var parsed = ProgramParser.Parse(program, Options.Limits);
        var errors = new List<ProgramError>(parsed.Errors);
        int dropLine = 0, keepLine = 0, operations = 0;
        foreach (var call in parsed.Calls)
        {
            operations++;
            var op = ProxOperation.Bind(call, out var error);
            if (op is null) errors.Add(new ProgramError(call.Line, error!));
            else if (!op.IsDocumentLevel)
                errors.Add(new ProgramError(call.Line, $"{call.Function}() is a chunk-level function; document programs use drop_doc() and keep_doc()"));
            else if (op is ProxOperation.DropDoc) { if (dropLine == 0) dropLine = call.Line; }
            else if (keepLine == 0) keepLine = call.Line;
        }
        if (dropLine > 0 && keepLine > 0)
            errors.Add(new ProgramError(Math.Max(dropLine, keepLine), "both drop_doc() and keep_doc(); drop_doc() wins"));
        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        return dropLine > 0
            ? new RefineResult(RefineOutcome.DroppedByProgram, null, errors, [], [], words, 0, operations)
            : new RefineResult(RefineOutcome.Kept, text, errors, [], [], words, words, operations);
    }

    public RefineResult RunChunkProgram(string text, string program)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(program);
        int words = PythonText.CountWords(text);
        if (words == 0) return Empty();
        if (Options.Dialect == ProxDialect.Reference) return ReferenceProgramRunner.RunChunks(text, program, words, Options);

        var limits = Options.Limits;
        var parsed = ProgramParser.Parse(program, limits);
        var errors = new List<ProgramError>(parsed.Errors);
        var removals = new List<(LineRange Range, int Line)>();
        var normalizer = new Normalizer(text, limits);
        int operations = 0;
        foreach (var call in parsed.Calls)
        {
            operations++;
            switch (ProxOperation.Bind(call, out var error))
            {
                case null:
                    errors.Add(new ProgramError(call.Line, error!));
                    break;
                case ProxOperation.DropDoc or ProxOperation.KeepDoc:
                    errors.Add(new ProgramError(call.Line, $"{call.Function}() is a document-level function; chunk programs use remove_lines, normalize, skip_chunk and keep_chunk"));
                    break;
                case ProxOperation.RemoveLines r when r.Start < 0 || r.End < 0:
                    errors.Add(new ProgramError(call.Line, $"remove_lines({r.Start}, {r.End}): line numbers start at 0"));
                    break;
                case ProxOperation.RemoveLines r when r.Start > r.End:
                    errors.Add(new ProgramError(call.Line, $"remove_lines({r.Start}, {r.End}): line_start is after line_end"));
                    break;
                case ProxOperation.RemoveLines r:
                    removals.Add((new LineRange(r.Start, r.End), call.Line));
                    break;
                case ProxOperation.Normalize n when n.Source.Length == 0:
                    errors.Add(new ProgramError(call.Line, "normalize(): source_str is empty"));
                    break;
                case ProxOperation.Normalize n when n.Source == " ":
                    errors.Add(new ProgramError(call.Line, "normalize(): a single space is not normalized (the reference skips it)"));
                    break;
                case ProxOperation.Normalize n:
                    if (normalizer.Apply(call.Line, n.Source, n.Target) is { } refused) errors.Add(refused);
                    break;
            }
        }

        string normalized = normalizer.Text;
        int lineCount = CountLines(normalized);
        var removed = new List<LineRange>();
        foreach (var (range, line) in LineRange.MergeWithLines(removals))
        {
            if (range.Start >= lineCount)
            {
                errors.Add(new ProgramError(line, $"remove_lines: lines {range} start past the last line ({lineCount - 1})"));
                continue;
            }
            if (range.End >= lineCount)
                errors.Add(new ProgramError(line, $"remove_lines: lines {range} end past the last line ({lineCount - 1})"));
            removed.Add(range with { End = Math.Min(range.End, lineCount - 1) });
        }
        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        int wordsNormalized = ReferenceEquals(normalized, text) ? words : PythonText.CountWords(normalized);
        string processed = RemoveLines(normalized, removed, out int removedWords);
        return Decide(text, words, processed, wordsNormalized - removedWords, errors, removed, normalizer.Applied, operations, Options);
    }

    static RefineResult Empty() => new(RefineOutcome.DroppedEmpty, null, [], [], [], 0, 0, 0);

    /// <summary>The reference's decision (execute_meta_operations) on the edited text.</summary>
    /// <param name="wordsAfter">The words of <paramref name="processed"/> (known from the edits, so the text is not
    /// scanned again).</param>
    internal static RefineResult Decide(string original, int wordsBefore, string processed, int wordsAfter, List<ProgramError> errors,
                                        List<LineRange> removed, List<Normalization> normalizations, int operations, ProxOptions options)
    {
        double kept = (double)wordsAfter / wordsBefore;
        bool fewErrors = errors.Count < options.ErrorsToKeepOriginal;
        var (outcome, text) =
            kept <= 1.0 - options.DropRemovedWordFraction && fewErrors ? (RefineOutcome.DroppedMostlyRemoved, null)
            : wordsAfter <= options.MinWords ? (RefineOutcome.DroppedTooFewWords, null)
            : fewErrors ? (RefineOutcome.Processed, processed)
            : (RefineOutcome.ErrorsKeptOriginal, (string?)original);
        return new RefineResult(outcome, text, errors, removed, normalizations, wordsBefore, wordsAfter, operations);
    }

    /// <summary>Lines of <c>text.Split('\n')</c>.</summary>
    internal static int CountLines(string text) => text.AsSpan().Count('\n') + 1;

    /// <summary><c>"\n".join(lines not in ranges)</c>, copying the kept runs of lines whole, and the words of the
    /// removed lines; <paramref name="ranges"/> sorted, disjoint, within the text.</summary>
    internal static string RemoveLines(string text, List<LineRange> ranges, out int removedWords)
    {
        removedWords = 0;
        if (ranges.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        int pos = 0, keptFrom = 0;
        long line = 0;
        bool lastLineRemoved = false;
        foreach (var range in ranges)
        {
            for (; line < range.Start; line++) pos = text.IndexOf('\n', pos) + 1;
            int removeFrom = pos;
            for (; line <= range.End; line++)
            {
                int nl = text.IndexOf('\n', pos);
                if (nl < 0) { pos = text.Length + 1; lastLineRemoved = true; line++; break; }
                pos = nl + 1;
            }
            sb.Append(text, keptFrom, removeFrom - keptFrom);
            removedWords += PythonText.CountWords(text.AsSpan(removeFrom, Math.Min(pos, text.Length) - removeFrom));
            keptFrom = pos;
        }
        if (keptFrom <= text.Length) sb.Append(text, keptFrom, text.Length - keptFrom);
        // The kept run before a removed last line ends with the break that joined them.
        else if (lastLineRemoved && sb.Length > 0) sb.Length--;
        return sb.ToString();
    }

    /// <summary>Applies normalizations to a document within the growth and count limits.</summary>
    internal sealed class Normalizer(string text, ProgramLimits limits)
    {
        readonly long _maxLength = limits.MaxTextLength(text.Length);

        public string Text { get; private set; } = text;
        public List<Normalization> Applied { get; } = [];

        /// <summary>Replaces every occurrence of <paramref name="source"/> (non-empty); returns the error when a
        /// limit refuses it.</summary>
        public ProgramError? Apply(int line, string source, string target)
        {
            if (Applied.Count >= limits.MaxNormalizations)
                return new ProgramError(line, $"normalize(): more than {limits.MaxNormalizations} normalizations in one program");
            int count = 0;
            for (int at = Text.IndexOf(source, StringComparison.Ordinal); at >= 0; at = Text.IndexOf(source, at + source.Length, StringComparison.Ordinal))
                count++;
            long length = Text.Length + (long)count * (target.Length - source.Length);
            if (length > _maxLength)
                return new ProgramError(line, $"normalize(): the document would grow to {length} characters, past the limit of {_maxLength}");
            if (count > 0) Text = Text.Replace(source, target, StringComparison.Ordinal);
            Applied.Add(new Normalization(line, source, target, count));
            return null;
        }
    }
}
