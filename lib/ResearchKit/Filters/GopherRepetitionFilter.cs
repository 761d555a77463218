using System.Text.RegularExpressions;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.ProX;

namespace ResearchKit.Filters;

/// <summary>
/// Gopher's repetition rules (Rae et al. 2021, table A1) with datatrove's defaults (GopherRepetitionFilter), in its
/// order: duplicate paragraphs (split on 2+ newlines) ≤ 30 % ("dup_para_frac") and their characters ≤ 20 % of the
/// text ("dup_para_char_frac"); duplicate lines (split on newlines) likewise ("dup_line_frac", "dup_line_char_frac");
/// the most frequent 2/3/4-gram's characters × count ≤ 20/18/16 % ("top_{n}_gram"); characters in repeated
/// 5..10-grams ≤ 15/14/13/12/11/10 % ("duplicated_{n}_n_grams"). Words are <see cref="WordTokenizer"/> tokens;
/// lengths are Python's (code points). Empty documents are dropped as "empty" (datatrove would divide by zero).
/// </summary>
public sealed partial class GopherRepetitionFilter : DocumentFilter
{
    public override string Name => "gopher-repetition";

    public double? DupLineFraction { get; init; } = 0.3;
    public double? DupParagraphFraction { get; init; } = 0.3;
    public double? DupLineCharFraction { get; init; } = 0.2;
    public double? DupParagraphCharFraction { get; init; } = 0.2;
    public IReadOnlyList<(int N, double Fraction)> TopNGrams { get; init; } = [(2, 0.2), (3, 0.18), (4, 0.16)];
    public IReadOnlyList<(int N, double Fraction)> DupNGrams { get; init; } = [(5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)];

    public override string? DropReason(Document document)
    {
        string text = document.Text;
        double length = DatatroveText.CodePoints(text);
        if (length == 0) return "empty";

        var paragraphs = Paragraphs().Split(PythonText.Strip(text));
        var (paraDups, paraChars) = DatatroveText.FindDuplicates(paragraphs);
        if (DupParagraphFraction is { } pf && (double)paraDups / paragraphs.Length > pf) return "dup_para_frac";
        if (DupParagraphCharFraction is { } pcf && paraChars / length > pcf) return "dup_para_char_frac";

        var lines = Lines().Split(text);
        var (lineDups, lineChars) = DatatroveText.FindDuplicates(lines);
        if (DupLineFraction is { } lf && (double)lineDups / lines.Length > lf) return "dup_line_frac";
        if (DupLineCharFraction is { } lcf && lineChars / length > lcf) return "dup_line_char_frac";

        var words = WordTokenizer.Tokenize(text);
        var spaced = new JoinedWords(words, " ");
        foreach (var (n, fraction) in TopNGrams)
        {
            if (words.Count < n) continue;
            if (TopNGramCharacters(spaced, words.Count, n) / length > fraction) return $"top_{n}_gram";
        }
        var glued = new JoinedWords(words, "");
        foreach (var (n, fraction) in DupNGrams)
            if (RepeatedNGramCharacters(glued, words.Count, n) / length > fraction) return $"duplicated_{n}_n_grams";
        return null;
    }

    /// <summary>datatrove's <c>find_top_duplicate</c>: length × count of the most frequent n-gram (words joined by a
    /// space); among equally frequent ones the first seen, as <c>Counter.most_common</c>.</summary>
    static long TopNGramCharacters(JoinedWords joined, int wordCount, int n)
    {
        var counts = new Dictionary<(int Start, int Length), int>(joined);
        (int Start, int Length) top = default;
        int topCount = 0;
        var order = new List<(int, int)>();
        for (int i = 0; i + n <= wordCount; i++)
        {
            var gram = joined.NGram(i, n);
            counts[gram] = counts.TryGetValue(gram, out int c) ? c + 1 : 1;
            if (c == 0) order.Add(gram);
        }
        foreach (var gram in order)
            if (counts[gram] > topCount) (top, topCount) = (gram, counts[gram]);
        return topCount == 0 ? 0 : (long)joined.CodePoints(top) * topCount;
    }

    /// <summary>datatrove's <c>find_all_duplicate</c>: scanning left to right, an n-gram (words joined without spaces)
    /// seen before adds its length and skips n words; otherwise it is remembered and the scan moves one word.</summary>
    static long RepeatedNGramCharacters(JoinedWords joined, int wordCount, int n)
    {
        var seen = new HashSet<(int Start, int Length)>(joined);
        long repeated = 0;
        int i = 0;
        while (i < wordCount - n + 1)
        {
            var gram = joined.NGram(i, n);
            if (!seen.Add(gram))
            {
                repeated += joined.CodePoints(gram);
                i += n;
            }
            else i++;
        }
        return repeated;
    }

    /// <summary>The words joined once into one buffer; an n-gram is a (start, length) slice of it, hashed and
    /// compared by its characters, so n-grams are never allocated as strings (the joined strings datatrove
    /// compares).</summary>
    sealed class JoinedWords : IEqualityComparer<(int Start, int Length)>
    {
        readonly string _text;
        readonly int[] _starts;
        readonly int _separator;

        public JoinedWords(List<string> words, string separator)
        {
            _text = string.Join(separator, words);
            _separator = separator.Length;
            _starts = new int[words.Count + 1];
            for (int k = 0; k < words.Count; k++) _starts[k + 1] = _starts[k] + words[k].Length + _separator;
        }

        public (int Start, int Length) NGram(int first, int n) => (_starts[first], _starts[first + n] - _separator - _starts[first]);

        public int CodePoints((int Start, int Length) gram) => DatatroveText.CodePoints(_text.Substring(gram.Start, gram.Length));

        public bool Equals((int Start, int Length) a, (int Start, int Length) b) =>
            a.Length == b.Length && _text.AsSpan(a.Start, a.Length).SequenceEqual(_text.AsSpan(b.Start, b.Length));

        public int GetHashCode((int Start, int Length) gram) => string.GetHashCode(_text.AsSpan(gram.Start, gram.Length));
    }

    [GeneratedRegex(@"\n{2,}")] private static partial Regex Paragraphs();
    [GeneratedRegex(@"\n+")] private static partial Regex Lines();
}
