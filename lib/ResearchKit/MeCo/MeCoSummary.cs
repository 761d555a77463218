using System.Globalization;
using System.Text;
using ResearchKit.Experiments;

namespace ResearchKit.MeCo;

/// <summary>
/// Plain-language readouts of MeCo's conditional-inference results, computed from the per-seed numbers (so a rerun with
/// another preset describes its own results) and read against seed noise: a difference is called only when its 95%
/// interval excludes zero.
/// </summary>
public static class MeCoSummary
{
    /// <summary>Per arm: loss with no prefix, with the document's own metadata and under other domains' metadata, the
    /// gain from its own metadata (none − own) and how specific that gain is (other − own: does the right source help
    /// more than a wrong one?). Then each arm's gain and specificity against <paramref name="baseline"/>'s.</summary>
    public static string Conditional(AblationResults results, string baseline = "standard")
    {
        var runs = results.Runs;
        foreach (var metric in new[] { "cond_none", "cond_own", "cond_other" })
            if (runs.Columns.IndexOf(metric) < 0) throw new ArgumentException($"the results have no '{metric}' column: run with Conditional = true", nameof(results));
        var arms = runs["arm"].Cast<string>().Distinct().ToList();
        IReadOnlyList<double> Gain(string arm) => Paired(arm, "cond_none", "cond_own");
        IReadOnlyList<double> Specificity(string arm) => Paired(arm, "cond_other", "cond_own");
        IReadOnlyList<double> Paired(string arm, string a, string b) =>
            AblationTables.SeedValues(runs, arm, a).Zip(AblationTables.SeedValues(runs, arm, b), (x, y) => x - y).ToList();

        var sb = new StringBuilder();
        foreach (var arm in arms)
        {
            var none = SeedStatistics.Of(AblationTables.SeedValues(runs, arm, "cond_none"));
            var own = SeedStatistics.Of(AblationTables.SeedValues(runs, arm, "cond_own"));
            sb.Append(Invariant($"- {arm}: no prefix {Readouts.Format(none)}, own metadata {Readouts.Format(own)}; gain from own metadata {Readouts.Format(SeedStatistics.Of(Gain(arm)))}"));
            var specificity = Specificity(arm);
            sb.Append(Invariant($", own vs other domains' metadata {Readouts.Format(SeedStatistics.Of(specificity))} ({Verdict(specificity)})\n"));
        }
        if (arms.Contains(baseline))
        {
            var (baselineGain, baselineSpecificity) = (Gain(baseline), Specificity(baseline));
            foreach (var arm in arms.Where(a => a != baseline))
            {
                sb.Append(Invariant($"- {arm} vs {baseline}: gain from own metadata {Difference(Gain(arm), baselineGain)}; "));
                sb.Append(Invariant($"specificity {Difference(Specificity(arm), baselineSpecificity)}\n"));
            }
        }
        return sb.Append("Any prefix is extra context, so read MeCo against the standard model: what MeCo adds is a larger gain from the right metadata, " +
                         "and a gain specific to the right source (own better than other domains').").ToString();
    }

    static string Difference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var (diff, ci) = SeedStatistics.Difference(a, b);
        if (ci is not { } h) return Invariant($"{Readouts.Signed(diff)} (one seed: no noise estimate)");
        return Invariant($"{Readouts.Signed(diff)} ± {h:F4} ({(Math.Abs(diff) > h ? "resolved" : "within noise")})");
    }

    static string Verdict(IReadOnlyList<double> values)
    {
        var s = SeedStatistics.Of(values);
        return s.Ci95 is not { } h ? "one seed: no noise estimate" : Math.Abs(s.Mean) <= h ? "within noise" : s.Mean > 0 ? "own metadata helps more" : "other domains' metadata helps more";
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
