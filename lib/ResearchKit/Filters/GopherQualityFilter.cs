using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.ProX;

namespace ResearchKit.Filters;

/// <summary>
/// Gopher's quality rules (Rae et al. 2021, appendix A) with datatrove's defaults (GopherQualityFilter), checked in
/// datatrove's order; the first that fails names the drop reason:
/// "gopher_short_doc" / "gopher_long_doc" (50–100,000 non-symbol words), "gopher_below_avg_threshold" /
/// "gopher_above_avg_threshold" (mean non-symbol word length 3–10), "gopher_too_many_hashes" and
/// "gopher_too_many_ellipsis" ('#' and "..."/"…" per word ≤ 0.1), "gopher_too_many_bullets" (≤ 90 % of lines start
/// with '•' or '-'), "gopher_too_many_end_ellipsis" (≤ 30 % of lines end with an ellipsis),
/// "gopher_below_alpha_threshold" (≥ 80 % of words contain a letter), "gopher_enough_stop_words" (≥ 2 of
/// the, be, to, of, and, that, have, with; case-sensitive, as datatrove). Words are <see cref="WordTokenizer"/>
/// tokens; a symbol word consists of punctuation only. A null threshold disables its rule.
/// </summary>
public sealed class GopherQualityFilter : DocumentFilter
{
    public override string Name => "gopher-quality";

    public int? MinDocWords { get; init; } = 50;
    public int? MaxDocWords { get; init; } = 100_000;
    public double? MinAvgWordLength { get; init; } = 3;
    public double? MaxAvgWordLength { get; init; } = 10;
    public double? MaxSymbolWordRatio { get; init; } = 0.1;
    public double? MaxBulletLinesRatio { get; init; } = 0.9;
    public double? MaxEllipsisLinesRatio { get; init; } = 0.3;
    public double? MinAlphaWordsRatio { get; init; } = 0.8;
    public int? MinStopWords { get; init; } = 2;
    public IReadOnlySet<string> StopWords { get; init; } = new HashSet<string>(["the", "be", "to", "of", "and", "that", "have", "with"], StringComparer.Ordinal);

    public override string? DropReason(Document document)
    {
        string text = document.Text;
        var words = WordTokenizer.Tokenize(text);
        int nWords = words.Count;
        var nonSymbol = words.Where(w => !DatatroveText.IsSymbolWord(w)).ToList();
        int n = nonSymbol.Count;
        if (MinDocWords is { } min && n < min) return "gopher_short_doc";
        if (MaxDocWords is { } max && n > max) return "gopher_long_doc";

        double avg = n == 0 ? double.NaN : nonSymbol.Average(w => (double)DatatroveText.CodePoints(w));
        if (MinAvgWordLength is { } minAvg && avg < minAvg) return "gopher_below_avg_threshold";
        if (MaxAvgWordLength is { } maxAvg && avg > maxAvg) return "gopher_above_avg_threshold";

        if (MaxSymbolWordRatio is { } symbols)
        {
            if ((double)DatatroveText.Count(text, "#") / nWords > symbols) return "gopher_too_many_hashes";
            if ((double)(DatatroveText.Count(text, "...") + DatatroveText.Count(text, "…")) / nWords > symbols) return "gopher_too_many_ellipsis";
        }

        var lines = PythonText.SplitLines(text);
        if (MaxBulletLinesRatio is { } bullets && lines.Count > 0)
        {
            int bulletLines = lines.Count(l => l.AsSpan().TrimStart() is var t && (t.StartsWith("•") || t.StartsWith("-")));
            if ((double)bulletLines / lines.Count > bullets) return "gopher_too_many_bullets";
        }
        if (MaxEllipsisLinesRatio is { } ellipses && lines.Count > 0)
        {
            int ellipsisLines = lines.Count(l => l.AsSpan().TrimEnd() is var t && (t.EndsWith("...") || t.EndsWith("…")));
            if ((double)ellipsisLines / lines.Count > ellipses) return "gopher_too_many_end_ellipsis";
        }

        if (MinAlphaWordsRatio is { } alpha && (double)words.Count(PythonText.AnyLetter) / nWords < alpha) return "gopher_below_alpha_threshold";
        if (MinStopWords is { } stop && words.Count(StopWords.Contains) < stop) return "gopher_enough_stop_words";
        return null;
    }
}
