using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>How an arm compares with the baseline on one metric.</summary>
public enum Verdict { Baseline, Better, Worse, WithinNoise, Higher, Lower, Equal }

/// <summary>One arm's value of a metric against the baseline's.</summary>
/// <param name="HalfWidth">Half-width of the arm's 95% interval (<c>m_ci95</c>); null with one seed.</param>
/// <param name="Seeds">How many seeds the mean is over; null when the table does not say.</param>
/// <param name="Delta">Arm − baseline.</param>
public sealed record ArmReadout(string Arm, string Metric, double Mean, double? HalfWidth, int? Seeds, double Delta, double? DeltaPercent, Verdict Verdict);

/// <summary>
/// Readouts of an ablation's results against its baseline arm, computed from the numbers so a rerun describes its own
/// results. Two arms are <em>within noise</em> when their 95% intervals (<c>m ± m_ci95</c>) overlap; with one seed
/// there is no interval and the readout says so. A reading aid, not a significance test.
/// </summary>
public static class BaselineComparison
{
    /// <summary>The baseline arm: <paramref name="preferred"/> when the results have it, else <c>standard</c>, else
    /// <c>baseline</c>, else the first arm.</summary>
    public static string Baseline(DataFrame results, string? preferred = null)
    {
        var arms = Arms(results);
        if (arms.Count == 0) throw new ArgumentException("the results have no arms", nameof(results));
        foreach (var name in new[] { preferred, "standard", "baseline" })
            if (name is not null && arms.Contains(name)) return name;
        return arms[0];
    }

    /// <summary>Whether the results carry a noise estimate (a <c>_ci95</c> column for <paramref name="metric"/>).</summary>
    public static bool HasNoiseEstimate(DataFrame results, string metric) =>
        results.Columns.IndexOf(metric + MetricNames.Ci95Suffix) >= 0
        && Enumerable.Range(0, (int)results.Rows.Count).Any(r => Number(results, metric + MetricNames.Ci95Suffix, r) is { } h && double.IsFinite(h));

    /// <summary>Every arm's <paramref name="metric"/> against <paramref name="baseline"/> (the baseline first, then in table order).</summary>
    public static IReadOnlyList<ArmReadout> Against(DataFrame results, string metric, string baseline)
    {
        if (results.Columns.IndexOf(metric) < 0)
            throw new ArgumentException($"the results have no '{metric}' column (they have: {string.Join(", ", results.Columns.Select(c => c.Name))})", nameof(metric));
        var arms = Arms(results);
        int baseRow = arms.IndexOf(baseline);
        if (baseRow < 0) throw new ArgumentException($"the results have no arm '{baseline}' (arms: {string.Join(", ", arms)})", nameof(baseline));
        if (Number(results, metric, baseRow) is not { } reference)
            throw new ArgumentException($"the baseline '{baseline}' has no {metric}", nameof(baseline));
        var ci = metric + MetricNames.Ci95Suffix;
        double? HalfWidth(int row) => Number(results, ci, row) is { } h && double.IsFinite(h) ? h : null;
        int? Seeds(int row) => Number(results, MetricNames.Seeds, row) is { } n ? (int)n : null;
        var direction = MetricNames.Direction(metric);
        var readouts = new List<ArmReadout> { new(baseline, metric, reference, HalfWidth(baseRow), Seeds(baseRow), 0, 0, Verdict.Baseline) };
        for (int r = 0; r < arms.Count; r++)
        {
            if (r == baseRow || Number(results, metric, r) is not { } value) continue;
            double delta = value - reference;
            Verdict verdict;
            var (a, b) = (HalfWidth(r), HalfWidth(baseRow));
            if ((a is not null || b is not null) && Math.Abs(delta) <= (a ?? 0) + (b ?? 0)) verdict = Verdict.WithinNoise;
            else if (delta == 0) verdict = Verdict.Equal;
            else verdict = direction switch
            {
                MetricDirection.LowerIsBetter => delta < 0 ? Verdict.Better : Verdict.Worse,
                MetricDirection.HigherIsBetter => delta > 0 ? Verdict.Better : Verdict.Worse,
                _ => delta > 0 ? Verdict.Higher : Verdict.Lower,
            };
            readouts.Add(new(arms[r], metric, value, a, Seeds(r), delta, reference == 0 ? null : 100 * delta / Math.Abs(reference), verdict));
        }
        return readouts;
    }

    /// <summary>The readout as plain language, e.g.
    /// "val_loss (lower is better) of standard: 2.6057 ± 0.0123 (95% interval over 3 seeds).\n- f0.5: 2.5525 ± 0.0100, −0.0532 (−2.0%) vs standard: better (the 95% intervals do not overlap)".</summary>
    public static string Summary(DataFrame results, string metric, string baseline)
    {
        var readouts = Against(results, metric, baseline);
        bool noise = HasNoiseEstimate(results, metric);
        var b = readouts[0];
        var sb = new StringBuilder();
        sb.Append(Invariant($"{metric}{DirectionText(metric)} of {baseline}: {ValueText(b)}."));
        sb.Append(noise ? " Within noise means the two arms' 95% intervals overlap.\n" : " One seed: no noise estimate, so a difference may be seed noise.\n");
        foreach (var r in readouts.Skip(1).OrderBy(r => MetricNames.Direction(metric) == MetricDirection.HigherIsBetter ? -r.Mean : r.Mean))
        {
            sb.Append(Invariant($"- {r.Arm}: {ValueText(r)}, {Signed(r.Delta)}"));
            if (r.DeltaPercent is { } pct) sb.Append(Invariant($" ({Signed(pct, "F1")}%)"));
            sb.Append(Invariant($" vs {baseline}: {VerdictText(r.Verdict, noise)}\n"));
        }
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>"better", "within noise (the 95% intervals overlap)", ...</summary>
    public static string VerdictText(Verdict verdict, bool noiseEstimate) => verdict switch
    {
        Verdict.Baseline => "baseline",
        Verdict.WithinNoise => "within noise (the 95% intervals overlap)",
        Verdict.Better => noiseEstimate ? "better (the 95% intervals do not overlap)" : "better (one seed)",
        Verdict.Worse => noiseEstimate ? "worse (the 95% intervals do not overlap)" : "worse (one seed)",
        Verdict.Higher => "higher",
        Verdict.Lower => "lower",
        _ => "equal",
    };

    /// <summary>"2.6057 ± 0.0123 (3 seeds)" or "2.6057".</summary>
    public static string ValueText(ArmReadout r) =>
        r.HalfWidth is { } h ? Invariant($"{r.Mean:F4} ± {h:F4}{(r.Seeds is { } n ? $" ({n} seeds)" : "")}") : Invariant($"{r.Mean:F4}");

    /// <summary>" (lower is better)", " (higher is better)" or "" for a metric with no direction.</summary>
    internal static string DirectionText(string metric) => MetricNames.Direction(metric) switch
    {
        MetricDirection.LowerIsBetter => " (lower is better)",
        MetricDirection.HigherIsBetter => " (higher is better)",
        _ => "",
    };

    /// <summary>Whether <paramref name="baseline"/> has a finite <paramref name="metric"/> (some metrics exist only for some arms).</summary>
    public static bool BaselineHas(DataFrame results, string metric, string baseline)
    {
        int row = Arms(results).IndexOf(baseline);
        return row >= 0 && Number(results, metric, row) is { } v && double.IsFinite(v);
    }

    static List<string> Arms(DataFrame results)
    {
        if (results.Columns.IndexOf(MetricNames.Arm) < 0) throw new ArgumentException("the results have no 'arm' column", nameof(results));
        return Enumerable.Range(0, (int)results.Rows.Count).Select(r => Convert.ToString(results[MetricNames.Arm][r], CultureInfo.InvariantCulture) ?? "").ToList();
    }

    static double? Number(DataFrame frame, string column, int row) =>
        frame.Columns.IndexOf(column) >= 0 && frame[column][row] is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : null;

    /// <summary>"+0.0200" / "−0.0200" (a true minus sign); a value that rounds to zero gets "±".</summary>
    public static string Signed(double value, string format = "F4")
    {
        var magnitude = Math.Abs(value).ToString(format, CultureInfo.InvariantCulture);
        if (!magnitude.Any(c => c is >= '1' and <= '9')) return "±" + magnitude;
        return (value < 0 ? "−" : "+") + magnitude;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
