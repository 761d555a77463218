using Microsoft.Data.Analysis;
using Plotly.NET;
using ResearchKit.Experiments;
using ResearchKit.Reports;

namespace ResearchKit.DoReMi;

/// <summary>DoReMi's charts, from an ablation's tables and curves (<see cref="DoReMiSummaryStage"/>), built with
/// <see cref="Charts"/>: weights per arm, α and λ per domain over proxy steps, α's entropy, the main models' held-out
/// curves and per-domain bits per byte with 95% intervals over seeds.</summary>
public static class DoReMiCharts
{
    /// <summary>The domain weights each arm's main model sampled by: bars per domain, one series per arm, ± 95% interval.</summary>
    public static GenericChart Weights(DataFrame domainWeights, string? title = null) =>
        Charts.Bars(domainWeights, "domain", "weight", "arm", title ?? "domain weights the main model samples by", error: Column(domainWeights, "weight_ci95"));

    /// <summary>The main models' held-out bits per byte per domain (the evaluation's <c>domain_loss</c> table), ± 95% interval.</summary>
    public static GenericChart DomainBitsPerByte(DataFrame domainLoss, string? title = null) =>
        Charts.Bars(domainLoss, "domain", "bpb", "arm", title ?? "main model: validation bits per byte per domain", error: Column(domainLoss, "bpb_ci95"));

    /// <summary>α per domain over the proxy's steps for one arm (mean over seeds).</summary>
    public static GenericChart Alpha(DataFrame curves, string arm, string? title = null) =>
        PerDomain(curves, arm, "alpha_", "alpha", title ?? $"{arm}: α per domain over proxy steps");

    /// <summary>λ per domain over the proxy's steps for one arm: the per-domain excess loss for DoReMi's objective (a
    /// domain absent from a step keeps its previous value).</summary>
    public static GenericChart Lambda(DataFrame curves, string arm, string? title = null) =>
        PerDomain(curves, arm, "lambda_", "lambda", title ?? $"{arm}: λ (excess loss) per domain over proxy steps");

    /// <summary>The entropy of α (nats) over the proxy's steps, one line per arm; ln k is uniform, 0 one-hot.</summary>
    public static GenericChart AlphaEntropy(DataFrame curves, string? title = null) =>
        Charts.Curves(curves, "alpha_entropy", smooth: 1, title ?? "entropy of α over proxy steps (nats; uniform = ln k)");

    /// <summary>The main models' held-out domain-mean bits per byte at the curve's steps, one line per arm.</summary>
    public static GenericChart ValidationCurves(DataFrame curves, string metric = "val_bpb_domain_mean", string? title = null) =>
        Charts.Curves(curves, metric, smooth: 1, title ?? $"main model: held-out {metric} over training");

    /// <summary>Iterated DoReMi: each round's weights for one arm, one series per round.</summary>
    public static GenericChart RoundWeights(DataFrame roundWeights, string arm, string? title = null)
    {
        var rows = DataFrames.Where(roundWeights, "arm", arm);
        if (rows.Rows.Count == 0) throw new ArgumentException($"the round_weights table has no arm '{arm}'", nameof(arm));
        return Charts.Bars(rows, "domain", "weight", "round", title ?? $"{arm}: domain weights per round", error: Column(rows, "weight_ci95"));
    }

    /// <summary>With ablation results.</summary>
    public static GenericChart Weights(AblationResults results) => Weights(Table(results, "domain_weights"));
    public static GenericChart DomainBitsPerByte(AblationResults results) => DomainBitsPerByte(Table(results, "domain_loss"));

    static GenericChart PerDomain(DataFrame curves, string arm, string prefix, string value, string title)
    {
        var steps = new List<long>();
        var domains = new List<string>();
        var values = new List<double>();
        for (long r = 0; r < curves.Rows.Count; r++)
        {
            var metric = (string)curves["metric"][r];
            if ((string)curves["arm"][r] != arm || !metric.StartsWith(prefix, StringComparison.Ordinal) || metric == "alpha_entropy") continue;
            steps.Add((long)curves["step"][r]!);
            domains.Add(metric[prefix.Length..]);
            values.Add((double)curves["value"][r]!);
        }
        if (steps.Count == 0) throw new ArgumentException($"arm '{arm}' has no {prefix}* curves: it has no proxy", nameof(arm));
        var frame = new DataFrame(new Int64DataFrameColumn("step", steps), new StringDataFrameColumn("domain", domains), new DoubleDataFrameColumn(value, values));
        return Charts.Lines(frame, "step", value, "domain", title: title);
    }

    static DataFrame Table(AblationResults results, string name) =>
        results.Tables.TryGetValue(name, out var t) ? t : throw new ArgumentException($"the results have no '{name}' table (they have: {string.Join(", ", results.Tables.Keys)})");

    static string? Column(DataFrame frame, string name) => frame.Columns.IndexOf(name) >= 0 ? name : null;
}
