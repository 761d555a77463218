using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace ResearchKit.MeCo;

/// <summary>
/// Plain-language readouts of MeCo's conditional-inference results, computed from the numbers (so a rerun with another
/// preset describes its own results). Differences between arms are read against seed noise by
/// <see cref="Experiments.Readouts"/>.
/// </summary>
public static class MeCoSummary
{
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
            if (other.TryGetValue(arm, out var o)) sb.Append(Invariant($", other domains' metadata {o:F4} ({Experiments.Readouts.Signed(o - none[arm])} vs no prefix)"));
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

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
