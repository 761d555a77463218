using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Filters;

/// <summary>
/// FineWeb's quality rules with datatrove's defaults (FineWebQualityFilter), in its order, over the lines of
/// <c>text.Split('\n')</c>: the fraction of lines ending in . ' " ! ? must be above 0.12 ("line_punct_ratio"); the
/// fraction of lines of ≤ 30 characters below 0.67 ("short_line_ratio"); characters of duplicated non-blank lines
/// below 1 % of the non-newline characters ("char_dup_ratio"); newlines per word at most 0.3 ("list_ratio", words
/// from <see cref="WordTokenizer"/>).
/// </summary>
public sealed class FineWebQualityFilter : DocumentFilter
{
    public override string Name => "fineweb-quality";

    public double LinePunctuationThreshold { get; init; } = 0.12;
    /// <summary>datatrove's line_punct_exclude_zero: documents with no punctuated line at all pass the first rule.</summary>
    public bool LinePunctuationExcludeZero { get; init; }
    public double ShortLineThreshold { get; init; } = 0.67;
    public int ShortLineLength { get; init; } = 30;
    public double CharDuplicatesRatio { get; init; } = 0.01;
    public double NewLineRatio { get; init; } = 0.3;

    public override string? DropReason(Document document)
    {
        string text = document.Text;
        var lines = text.Split('\n');
        double ratio = (double)lines.Count(l => l.EndsWith('.') || l.EndsWith('\'') || l.EndsWith('"') || l.EndsWith('!') || l.EndsWith('?')) / lines.Length;
        if (ratio <= LinePunctuationThreshold && !(ratio == 0 && LinePunctuationExcludeZero)) return "line_punct_ratio";

        ratio = (double)lines.Count(l => DatatroveText.CodePoints(l) <= ShortLineLength) / lines.Length;
        if (ratio >= ShortLineThreshold) return "short_line_ratio";

        var nonEmpty = lines.Where(l => ProX.PythonText.Strip(l).Length > 0);
        long chars = DatatroveText.CodePoints(text) - text.AsSpan().Count('\n');
        if (chars > 0 && (double)DatatroveText.FindDuplicates(nonEmpty).Characters / chars >= CharDuplicatesRatio) return "char_dup_ratio";

        int words = WordTokenizer.Tokenize(text).Count;
        if (words > 0 && (double)text.AsSpan().Count('\n') / words > NewLineRatio) return "list_ratio";
        return null;
    }
}
