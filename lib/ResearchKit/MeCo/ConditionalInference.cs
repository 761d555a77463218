using Microsoft.Data.Analysis;
using ResearchKit.Corpus;
using ResearchKit.Packing;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.MeCo;

/// <summary>One way of conditioning a model at inference: a name and the prefix text each document gets (null: none).</summary>
/// <param name="Literal">The prefix when it is the same for every document, for display.</param>
public sealed record InferenceCondition(string Name, Func<Document, string?> PrefixOf, string? Literal = null)
{
    public static InferenceCondition NoPrefix { get; } = new("none", _ => null);
    public static InferenceCondition Own(MetadataSpec spec) => new("own", d => MetadataPrefix.For(d, spec));
    /// <summary>The same literal prefix for every document (a user-given prefix, or another domain's metadata).</summary>
    public static InferenceCondition Fixed(string name, string prefix) => new(name, _ => prefix, prefix);
}

/// <summary>
/// MeCo's conditional inference (MeCo, Gao et al. 2025): validation loss per domain when every document is preceded by no
/// prefix, its own metadata, another domain's metadata, or a user-given prefix. All conditions score exactly the same
/// target tokens of each document: its tokens 1..n−1 where n = context + 1 − (longest prefix of that document over all
/// conditions), so a longer prefix never shortens what is scored and the first token (which a prefix would otherwise
/// make predictable) is never scored. One document per window, prefix as context only.
/// </summary>
public static class ConditionalInference
{
    /// <summary>
    /// The conditions of the domain × prefix matrix: none, own, then <c>as:&lt;domain&gt;</c> for each domain (the domain's
    /// most frequent metadata prefix in <paramref name="reference"/>, ties broken by ordinal order), then one condition
    /// per user prefix named by its own text on one line (<c>URL: en.wikipedia.org</c>; cut to 40 characters, and
    /// numbered if two read the same), so charts and tables say which probe they show.
    /// </summary>
    public static IReadOnlyList<InferenceCondition> Matrix(IReadOnlyList<Document> reference, MetadataSpec spec, IEnumerable<string>? userPrefixes = null)
    {
        var conditions = new List<InferenceCondition> { InferenceCondition.NoPrefix, InferenceCondition.Own(spec) };
        foreach (var domain in reference.GroupBy(d => d.Domain).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var typical = domain.Select(d => MetadataPrefix.For(d, spec)).OfType<string>()
                .GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key;
            if (typical is not null) conditions.Add(InferenceCondition.Fixed("as:" + domain.Key, typical));
        }
        foreach (var p in userPrefixes ?? [])
        {
            var name = ProbeName(p);
            for (int n = 2; conditions.Any(c => c.Name == name); n++) name = $"{ProbeName(p)} ({n})";
            conditions.Add(InferenceCondition.Fixed(name, p));
        }
        return conditions;
    }

    /// <summary>A user prefix as a condition name: its text with line breaks and runs of spaces as one space, trimmed,
    /// at most 40 characters.</summary>
    internal static string ProbeName(string prefix)
    {
        var text = string.Join(' ', prefix.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        if (text.Length == 0) text = "(blank prefix)";
        return text.Length > 40 ? text[..39] + "…" : text;
    }

    /// <summary>
    /// Scores <paramref name="documents"/> under each condition. Returns one row per (domain, condition) with columns
    /// <c>domain, condition, prefix, loss, tokens</c> (prefix: the literal text for fixed conditions, else empty), plus
    /// an <c>all</c> domain row per condition (token-weighted).
    /// </summary>
    /// <param name="documentStart">Begin each window with the masked start token, as a model trained with
    /// <see cref="Training.DataConfig.DocumentStart"/> saw its documents.</param>
    public static DataFrame Evaluate(Gpt model, TextTokenizer tokenizer, IReadOnlyList<Document> documents, IReadOnlyList<InferenceCondition> conditions,
        int batchSize = 16, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default, bool documentStart = false)
    {
        int window = model.Config.Context + 1;
        var domains = documents.Select(d => d.Domain).Distinct().Order(StringComparer.Ordinal).ToArray();
        var domainId = domains.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        var texts = documents.Select(d => tokenizer.Encode(d.Text)).ToArray();
        var prefixCache = new Dictionary<string, int[]>();
        int[] Encode(string? p) => string.IsNullOrEmpty(p) ? [] : prefixCache.TryGetValue(p, out var t) ? t : prefixCache[p] = tokenizer.Encode(p);
        int start = documentStart ? 1 : 0;
        var prefixes = conditions.Select(c => documents.Select(d => start == 0 ? Encode(c.PrefixOf(d)) : (int[])[tokenizer.EndOfText, .. Encode(c.PrefixOf(d))]).ToArray()).ToArray();
        // Scored span per document: the same for every condition.
        var span = new int[documents.Count];
        for (int d = 0; d < documents.Count; d++)
            span[d] = Math.Min(texts[d].Length, window - conditions.Select((_, c) => prefixes[c][d].Length).DefaultIfEmpty(0).Max());

        if (documents.Count > 0 && span.All(n => n < 2))
            throw new ArgumentException($"no document can be scored: prefixes of up to {prefixes.Max(p => p.Max(x => x.Length))} tokens leave no room in a context of {model.Config.Context}");
        var device = model.parameters().First().device;
        var sums = new double[conditions.Count, domains.Length];
        var counts = new long[conditions.Count, domains.Length];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            for (int c = 0; c < conditions.Count; c++)
            {
                var batch = new List<PackedWindow>();
                void Flush()
                {
                    if (batch.Count == 0) return;
                    var (s, n) = Score(model, batch.ToArray(), domains.Length, device);
                    for (int k = 0; k < domains.Length; k++) { sums[c, k] += s[k]; counts[c, k] += n[k]; }
                    batch.Clear();
                }
                for (int d = 0; d < documents.Count; d++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (span[d] < 2) continue; // nothing left to score once the longest prefix is in
                    batch.Add(Window(prefixes[c][d], texts[d].AsSpan(0, span[d]), window, tokenizer.EndOfText, domainId[documents[d].Domain]));
                    if (batch.Count == batchSize) Flush();
                }
                Flush();
                progress?.Report(new("conditional inference", c + 1, conditions.Count, conditions[c].Name));
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        var rows = new List<(string Domain, string Condition, string Prefix, double Loss, long Tokens)>();
        for (int c = 0; c < conditions.Count; c++)
        {
            var literal = conditions[c].Literal ?? "";
            for (int k = 0; k < domains.Length; k++)
                if (counts[c, k] > 0) rows.Add((domains[k], conditions[c].Name, literal, sums[c, k] / counts[c, k], counts[c, k]));
            long total = Enumerable.Range(0, domains.Length).Sum(k => counts[c, k]);
            if (total > 0) rows.Add(("all", conditions[c].Name, literal, Enumerable.Range(0, domains.Length).Sum(k => sums[c, k]) / total, total));
        }
        return new DataFrame(
            new StringDataFrameColumn("domain", rows.Select(r => r.Domain)),
            new StringDataFrameColumn("condition", rows.Select(r => r.Condition)),
            new StringDataFrameColumn("prefix", rows.Select(r => r.Prefix)),
            new DoubleDataFrameColumn("loss", rows.Select(r => r.Loss)),
            new Int64DataFrameColumn("tokens", rows.Select(r => r.Tokens)));
    }

    /// <summary>[prefix][text] padded with untrainable EOS; targets are text tokens 1..n−1.</summary>
    static PackedWindow Window(int[] prefix, ReadOnlySpan<int> text, int length, int endOfText, int domain)
    {
        var w = new PackedWindow(length);
        for (int i = 0; i < length; i++)
        {
            int token = i < prefix.Length ? prefix[i] : i - prefix.Length < text.Length ? text[i - prefix.Length] : endOfText;
            w.Set(i, token, trainable: i > prefix.Length && i < prefix.Length + text.Length, segment: 0, domain, prefixInView: prefix.Length > 0);
        }
        return w;
    }

    static (double[] Sums, long[] Counts) Score(Gpt model, PackedWindow[] windows, int domainCount, Device device)
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        using var batch = Batch.FromWindows(windows, documentMask: false, device);
        var perToken = TokenLoss.PerToken(model, batch);
        var domains = batch.Domains.reshape(-1);
        var s = torch.zeros(domainCount, ScalarType.Float64, device).index_add_(0, domains, (perToken * batch.LossMask).reshape(-1).to_type(ScalarType.Float64), 1);
        var n = torch.zeros(domainCount, ScalarType.Float64, device).index_add_(0, domains, batch.LossMask.reshape(-1).to_type(ScalarType.Float64), 1);
        return (s.cpu().data<double>().ToArray(), n.cpu().data<double>().ToArray().Select(x => (long)Math.Round(x)).ToArray());
    }

    /// <summary>
    /// Scalar summaries of a conditional-inference table, all token-weighted over domains so they compare:
    /// <c>cond_none</c>, <c>cond_own</c>, <c>cond_own_gain</c> = none − own, and <c>cond_other</c>: each domain's mean
    /// loss under the other domains' metadata (<c>as:&lt;d&gt;</c>, d ≠ its own domain), weighted by the domain's scored
    /// tokens, so <c>cond_other − cond_none</c> is the cost of wrong metadata.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Summarize(DataFrame matrix)
    {
        var rows = Enumerable.Range(0, (int)matrix.Rows.Count)
            .Select(r => (Domain: (string)matrix["domain"][r], Condition: (string)matrix["condition"][r],
                          Loss: (double)matrix["loss"][r]!, Tokens: (long)matrix["tokens"][r]!)).ToList();
        var result = new Dictionary<string, double>();
        double? All(string condition) => rows.Where(r => r.Domain == "all" && r.Condition == condition).Select(r => (double?)r.Loss).FirstOrDefault();
        if (All("none") is { } none) result["cond_none"] = none;
        if (All("own") is { } own) result["cond_own"] = own;
        if (result.ContainsKey("cond_none") && result.ContainsKey("cond_own")) result["cond_own_gain"] = result["cond_none"] - result["cond_own"];
        var other = rows.Where(r => r.Domain != "all" && r.Condition.StartsWith("as:", StringComparison.Ordinal) && r.Condition != "as:" + r.Domain)
            .GroupBy(r => r.Domain).Select(g => (Loss: g.Average(r => r.Loss), Tokens: g.First().Tokens)).ToList();
        if (other.Count > 0) result["cond_other"] = other.Sum(o => o.Loss * o.Tokens) / other.Sum(o => (double)o.Tokens);
        return result;
    }
}
