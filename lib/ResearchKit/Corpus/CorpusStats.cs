using Microsoft.Data.Analysis;
using ResearchKit.Tokenization;

namespace ResearchKit.Corpus;

/// <summary>Size of a corpus per domain.</summary>
public static class CorpusStats
{
    /// <summary>The row that sums all domains; it comes last.</summary>
    public const string TotalRow = "(total)";

    /// <summary>One row per domain (sorted by name) and a last <see cref="TotalRow"/>: columns domain, documents,
    /// characters (Unicode code points) and, when a tokenizer is given, tokens (without end-of-text ids).
    /// Tokenizes on all cores.</summary>
    public static DataFrame PerDomain(IEnumerable<Document> docs, TextTokenizer? tokenizer = null, IProgress<WorkProgress>? progress = null)
    {
        var rows = new SortedDictionary<string, (long Docs, long Chars, long Tokens)>(StringComparer.Ordinal);
        long seen = 0;
        var measured = OrderedParallel.Select(docs, d => (d.Domain, Chars: CodePoints(d.Text), Tokens: tokenizer?.Encode(d.Text).Length ?? 0), d => d.Text.Length);
        foreach (var (domain, chars, tokens) in measured)
        {
            var r = rows.GetValueOrDefault(domain);
            rows[domain] = (r.Docs + 1, r.Chars + chars, r.Tokens + tokens);
            if (++seen % 1000 == 0) progress?.Report(new WorkProgress("stats", seen));
        }
        progress?.Report(new WorkProgress("stats", seen, seen));

        var all = rows.Append(new(TotalRow, (rows.Values.Sum(r => r.Docs), rows.Values.Sum(r => r.Chars), rows.Values.Sum(r => r.Tokens)))).ToList();
        var frame = new DataFrame(
            new StringDataFrameColumn("domain", all.Select(r => r.Key)),
            new Int64DataFrameColumn("documents", all.Select(r => r.Value.Docs)),
            new Int64DataFrameColumn("characters", all.Select(r => r.Value.Chars)));
        if (tokenizer is not null) frame.Columns.Add(new Int64DataFrameColumn("tokens", all.Select(r => r.Value.Tokens)));
        return frame;
    }

    static long CodePoints(string text)
    {
        long lowSurrogates = 0;
        foreach (var c in text) if (char.IsLowSurrogate(c)) lowSurrogates++;
        return text.Length - lowSurrogates;
    }
}
