using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>
/// Plain-language readouts of an ablation, computed from its numbers, read against the noise the seeds measured: each
/// arm's mean ± 95% interval, its difference from the baseline with the Welch interval of that difference, and a
/// verdict. An arm is called better or worse only when its interval and the baseline's do not overlap; otherwise the
/// difference is "within noise" (a conservative reading: never a claim the seeds do not support).
/// </summary>
public static class Readouts
{
    public static string AgainstBaseline(AblationResults results, string metric, string baseline, bool lowerIsBetter = true) =>
        AgainstBaseline(results.Runs, metric, baseline, lowerIsBetter);

    /// <param name="runs">One row per (arm, seed), as <see cref="AblationResults.Runs"/>.</param>
    public static string AgainstBaseline(DataFrame runs, string metric, string baseline, bool lowerIsBetter = true)
    {
        var arms = runs["arm"].Cast<string>().Distinct().ToList();
        if (!arms.Contains(baseline)) throw new ArgumentException($"the results have no '{baseline}' arm (arms: {string.Join(", ", arms)})", nameof(baseline));
        var reference = AblationTables.SeedValues(runs, baseline, metric);
        if (reference.Count == 0) throw new ArgumentException($"the '{baseline}' arm has no {metric}", nameof(metric));
        var b = SeedStatistics.Of(reference);
        var sb = new StringBuilder(Invariant($"{metric} of {baseline}: {Format(b)}. {(lowerIsBetter ? "Lower" : "Higher")} is better."));
        sb.Append(b.Seeds == 1 ? " One seed per arm: no noise estimate, so no difference below can be told from seed noise.\n" : $" {b.Seeds} seeds per arm; ± is the 95% interval of the mean.\n");
        var rows = arms.Where(a => a != baseline).Select(a => (Arm: a, Values: AblationTables.SeedValues(runs, a, metric))).Where(r => r.Values.Count > 0)
            .Select(r => (r.Arm, r.Values, Summary: SeedStatistics.Of(r.Values))).OrderBy(r => lowerIsBetter ? r.Summary.Mean : -r.Summary.Mean);
        foreach (var (arm, values, s) in rows)
        {
            var (diff, ci) = SeedStatistics.Difference(values, reference);
            bool better = lowerIsBetter ? diff < 0 : diff > 0;
            var verdict = s.Ci95 is null || b.Ci95 is null ? "no noise estimate"
                : s.OverlapsWith(b) ? "within noise" : better ? "better" : "worse";
            sb.Append(Invariant($"- {arm}: {Format(s)}, {Signed(diff)}{(ci is { } c ? Invariant($" ± {c:F4}") : "")} vs {baseline} ({Signed(100 * diff / b.Mean, "F1")}%): {verdict}\n"));
        }
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>"3.8136 ± 0.0123", or the mean alone when there is no noise estimate.</summary>
    internal static string Format(SeedSummary s) => s.Ci95 is { } h ? Invariant($"{s.Mean:F4} ± {h:F4}") : Invariant($"{s.Mean:F4}");

    /// <summary>"+0.0200" / "-0.0200"; a value that rounds to zero gets "+".</summary>
    internal static string Signed(double value, string format = "F4")
    {
        var magnitude = Math.Abs(value).ToString(format, CultureInfo.InvariantCulture);
        return (value < 0 && magnitude.Any(c => c is >= '1' and <= '9') ? "-" : "+") + magnitude;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
