using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace ResearchKit.MeCo;

/// <summary>
/// Plain-language readouts of MeCo ablation results, computed from the numbers (so a rerun with another preset
/// describes its own results). Differences are read against seed noise only where the results hold a second seed of
/// the baseline; they are never tests of significance.
/// </summary>
public static class MeCoSummary
{
    /// <summary>Each arm's <paramref name="metric"/> against the <paramref name="baseline"/> arm, best first. When the
    /// results hold a second seed of the baseline (<c>&lt;baseline&gt;-seed2</c>), their distance is the noise level and
    /// arms closer to the baseline than that are called within noise.</summary>
    public static string AgainstBaseline(DataFrame results, string metric = "val_loss", string baseline = "standard")
    {
        var values = Values(results, metric);
        if (!values.TryGetValue(baseline, out var reference))
            throw new ArgumentException($"the results have no '{baseline}' arm with a {metric} (arms: {string.Join(", ", values.Keys)})", nameof(baseline));
        double? noise = values.TryGetValue(baseline + "-seed2", out var replicate) ? Math.Abs(replicate - reference) : null;
        var sb = new StringBuilder(Invariant($"{metric} of {baseline}: {reference:F4}. Lower is better."));
        sb.Append(noise is { } n ? Invariant($" Seed-to-seed noise (|{baseline} − {baseline}-seed2|): {n:F4}.\n") : " One seed per arm: no noise estimate.\n");
        foreach (var (arm, value) in values.Where(v => v.Key != baseline && v.Key != baseline + "-seed2").OrderBy(v => v.Value))
        {
            double delta = value - reference;
            var verdict = noise is { } level && Math.Abs(delta) <= level ? "within seed noise" : delta < 0 ? "better" : delta > 0 ? "worse" : "equal";
            sb.Append(Invariant($"- {arm}: {value:F4} ({Signed(delta, "F4")} vs {baseline}, {Signed(100 * delta / reference, "F1")}%): {verdict}\n"));
        }
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>What conditioning does at inference for each arm: loss with no prefix, with the document's own
    /// metadata, the gain (none − own), and the loss under other domains' metadata.</summary>
    public static string Conditional(DataFrame results)
    {
        var none = Values(results, "cond_none");
        var own = Values(results, "cond_own");
        var other = Values(results, "cond_other");
        var sb = new StringBuilder();
        foreach (var arm in none.Keys.Where(own.ContainsKey))
        {
            double gain = none[arm] - own[arm];
            sb.Append(Invariant($"- {arm}: no prefix {none[arm]:F4}, own metadata {own[arm]:F4} ({(gain >= 0 ? "gain" : "cost")} {Math.Abs(gain):F4})"));
            if (other.TryGetValue(arm, out var o)) sb.Append(Invariant($", other domains' metadata {o:F4} ({Signed(o - none[arm], "F4")} vs no prefix)"));
            sb.Append('\n');
        }
        if (sb.Length == 0) throw new ArgumentException("the results have no cond_none/cond_own metrics: run with Conditional = true", nameof(results));
        return sb.Append("Any prefix is extra context, so compare arms: what MeCo adds is its gain from the right metadata (and its loss under wrong metadata) beyond the standard model's.").ToString();
    }

    static Dictionary<string, double> Values(DataFrame results, string metric)
    {
        if (results.Columns.IndexOf(metric) < 0) throw new ArgumentException($"the results have no '{metric}' column (they have: {string.Join(", ", results.Columns.Select(c => c.Name))})", nameof(metric));
        var values = new Dictionary<string, double>();
        for (int r = 0; r < results.Rows.Count; r++)
            if (results[metric][r] is { } v) values[(string)results["arm"][r]] = Convert.ToDouble(v, CultureInfo.InvariantCulture);
        return values;
    }

    /// <summary>"+0.0200" / "-0.0200"; a value that rounds to zero gets "+".</summary>
    static string Signed(double value, string format)
    {
        var magnitude = Math.Abs(value).ToString(format, CultureInfo.InvariantCulture);
        return (value < 0 && magnitude.Any(c => c is >= '1' and <= '9') ? "-" : "+") + magnitude;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
