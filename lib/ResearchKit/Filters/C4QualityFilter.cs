using System.Diagnostics;
using System.Text.RegularExpressions;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.ProX;

namespace ResearchKit.Filters;

/// <summary>What <see cref="C4QualityFilter"/> decides for one document: the drop reason (null when kept), the kept
/// text, and per line of <c>text.splitlines()</c> the reason it was removed (null when kept).</summary>
public sealed record C4Verdict(string? DropReason, string? Text, IReadOnlyList<string?> LineReasons, long CitationCharacters);

/// <summary>
/// C4's heuristics (Raffel et al. 2020) with datatrove's defaults (C4QualityFilter), a line filter plus document
/// drops. Each line of <c>text.splitlines()</c> is stripped, then, in order: removed if a word is over 1000 characters
/// ("line_too_long_word"); citations ("[1]", "[edit]", "[citation needed]") cut out; removed unless it ends in
/// . ? ! " ' and not "..." ("line_no_terminal_punct"); removed with fewer than 3 words ("line_too_few_words"); the
/// document is dropped if it says "lorem ipsum" ("lorem_ipsum"); removed if it mentions "javascript"
/// ("line_javascript"); the document is dropped on a '{' ("curly_bracket"); removed with a cookie or terms-of-use
/// phrase ("line_policy"). Documents with fewer than 5 sentences left are dropped ("too_few_sentences"); kept lines
/// are joined with '\n'. Statistics: dropped documents per reason; per line reason the characters of the removed
/// lines (and "citations" for the cut-out citations).
/// </summary>
public sealed partial class C4QualityFilter : IDocumentTransform
{
    public string Name => "c4-quality";

    public bool RemoveCitations { get; init; } = true;
    public bool FilterNoTerminalPunctuation { get; init; } = true;
    public int MinSentences { get; init; } = 5;
    public int MinWordsPerLine { get; init; } = 3;
    public int MaxWordLength { get; init; } = 1000;
    public bool FilterLoremIpsum { get; init; } = true;
    public bool FilterJavascript { get; init; } = true;
    public bool FilterCurlyBracket { get; init; } = true;
    public bool FilterPolicy { get; init; } = true;

    static readonly string[] PolicySubstrings = ["terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies", "use cookies"];

    public IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default)
    {
        foreach (var document in documents)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            var verdict = Evaluate(document.Text);
            stats.AddTime(Name, Stopwatch.GetElapsedTime(start));
            if (verdict.DropReason is { } reason)
            {
                stats.Dropped(Name, document, reason);
                continue;
            }
            var lines = PythonText.SplitLines(document.Text);
            foreach (var group in verdict.LineReasons.Select((r, i) => (r, i)).Where(x => x.r is not null).GroupBy(x => x.r!))
                stats.Removed(Name, group.Key, group.Sum(x => (long)lines[x.i].Length));
            if (verdict.CitationCharacters > 0) stats.Removed(Name, "citations", verdict.CitationCharacters);
            var output = verdict.Text == document.Text ? document : document with { Text = verdict.Text! };
            stats.Kept(Name, document, output);
            yield return output;
        }
    }

    public C4Verdict Evaluate(string text)
    {
        var lines = PythonText.SplitLines(text);
        var reasons = new string?[lines.Count];
        var kept = new List<string>();
        int sentences = 0;
        long citations = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = PythonText.Strip(lines[i]);
            var words = PythonText.SplitWords(line);
            if (MaxWordLength != -1 && words.Any(w => w.Length > MaxWordLength)) { reasons[i] = "line_too_long_word"; continue; }
            if (RemoveCitations)
            {
                var cleaned = Citation().Replace(line, "");
                citations += line.Length - cleaned.Length;
                line = cleaned;
            }
            if (FilterNoTerminalPunctuation && (!EndsWithTerminal(line) || line.EndsWith("...", StringComparison.Ordinal)))
            {
                reasons[i] = "line_no_terminal_punct";
                continue;
            }
            if (words.Count < MinWordsPerLine) { reasons[i] = "line_too_few_words"; continue; }
            string lower = line.ToLowerInvariant();
            if (FilterLoremIpsum && lower.Contains("lorem ipsum", StringComparison.Ordinal)) return Drop("lorem_ipsum", reasons);
            if (FilterJavascript && lower.Contains("javascript", StringComparison.Ordinal)) { reasons[i] = "line_javascript"; continue; }
            if (FilterCurlyBracket && line.Contains('{')) return Drop("curly_bracket", reasons);
            if (FilterPolicy && PolicySubstrings.Any(p => lower.Contains(p, StringComparison.Ordinal))) { reasons[i] = "line_policy"; continue; }
            sentences += WordTokenizer.CountSentences(line);
            kept.Add(line);
        }
        if (sentences < MinSentences) return Drop("too_few_sentences", reasons);
        return new C4Verdict(null, PythonText.Strip(string.Join('\n', kept)), reasons, citations);
    }

    static C4Verdict Drop(string reason, string?[] lineReasons) => new(reason, null, lineReasons, 0);

    static bool EndsWithTerminal(string line) => line.Length > 0 && line[^1] is '.' or '?' or '!' or '"' or '\'';

    [GeneratedRegex(@"\[\d*]|\[edit]|\[citation needed]")] private static partial Regex Citation();
}
