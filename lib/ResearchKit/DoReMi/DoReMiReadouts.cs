using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;

namespace ResearchKit.DoReMi;

/// <summary>
/// Plain-language readouts of a DoReMi ablation, computed from its numbers (<see cref="DoReMiSummaryStage"/>'s metrics
/// and tables): which differences from the uniform baseline exceed the seed noise, steps to reach the baseline, which
/// domains the weights favour, where iterated rounds stopped, and warnings — weights collapsing toward one domain and
/// proxy batches that regularly miss domains — with the DoReMi authors' suggested fixes.
/// </summary>
public static class DoReMiReadouts
{
    /// <summary>The metrics whose differences from the baseline are read against seed noise.</summary>
    public static readonly string[] QualityMetrics = ["val_bpb_domain_mean", "val_bpb_worst", "val_bpb"];

    /// <summary>A domain missing from more than this share of proxy steps gets a warning.</summary>
    public const double MissingWarning = 0.05;

    public static string Summary(AblationResults results, string baseline = "uniform") => Summary(results.Runs, results.Tables, baseline);

    /// <param name="runs">One row per (arm, seed) (<see cref="AblationResults.Runs"/>).</param>
    /// <param name="tables">The averaged tables (<see cref="AblationResults.Tables"/>); <c>domain_weights</c> is used when present.</param>
    public static string Summary(DataFrame runs, IReadOnlyDictionary<string, DataFrame> tables, string baseline = "uniform")
    {
        var sb = new StringBuilder();
        sb.AppendLine(Noise(runs, baseline));
        sb.AppendLine(StepsToBaseline(runs, baseline));
        if (tables.TryGetValue("domain_weights", out var weights)) sb.AppendLine(Weights(weights));
        if (Has(runs, "rounds")) sb.AppendLine(Rounds(runs));
        var warnings = Warnings(runs);
        sb.AppendLine(warnings.Count == 0 ? "No warnings: no weights collapsed and proxy steps rarely miss a domain." : string.Join("\n", warnings));
        return sb.ToString().TrimEnd();
    }

    /// <summary>For each quality metric (bits per byte: lower is better), which arms differ from the baseline by more than
    /// the seed noise (their 95% intervals do not overlap) and which do not.</summary>
    public static string Noise(DataFrame runs, string baseline = "uniform", IReadOnlyList<string>? metrics = null)
    {
        var sb = new StringBuilder("Against seed noise (95% intervals over seeds; lower bits per byte is better):\n");
        foreach (var metric in (metrics ?? QualityMetrics).Where(m => Has(runs, m)))
        {
            var reference = AblationTables.SeedValues(runs, baseline, metric);
            if (reference.Count == 0) continue;
            var b = SeedStatistics.Of(reference);
            var exceeds = new List<string>();
            var within = new List<string>();
            foreach (var arm in Arms(runs).Where(a => a != baseline))
            {
                var values = AblationTables.SeedValues(runs, arm, metric);
                if (values.Count == 0) continue;
                var s = SeedStatistics.Of(values);
                var text = Invariant($"{arm} {Readouts.Signed(s.Mean - b.Mean)}");
                if (s.Ci95 is null || b.Ci95 is null) within.Add(text + " (one seed: no noise estimate)");
                else if (s.OverlapsWith(b)) within.Add(text);
                else exceeds.Add(text + (s.Mean < b.Mean ? ", better" : ", worse"));
            }
            sb.Append(Invariant($"- {metric} (vs {baseline} {b.Mean:F4}): "));
            sb.Append(exceeds.Count == 0 ? "no arm differs from the baseline beyond seed noise" : "beyond seed noise: " + string.Join("; ", exceeds));
            if (within.Count > 0) sb.Append("; within noise: " + string.Join("; ", within));
            sb.Append('\n');
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Per arm: in how many seeds the main model's held-out domain-mean bits per byte reached the baseline's
    /// final value, at which step (mean ± 95% interval over the seeds that did) and the speed-up.</summary>
    public static string StepsToBaseline(DataFrame runs, string baseline = "uniform")
    {
        if (!Has(runs, "reached_baseline")) return "No steps-to-baseline: the runs have no validation curves.";
        var sb = new StringBuilder($"Steps to reach the {baseline} model's final held-out domain-mean bits per byte (periodic validation, linearly interpolated between curve points):\n");
        foreach (var arm in Arms(runs))
        {
            var reached = AblationTables.SeedValues(runs, arm, "reached_baseline");
            int n = reached.Count(v => v > 0);
            if (n == 0) { sb.Append($"- {arm}: not reached in any of {reached.Count} seeds\n"); continue; }
            var steps = SeedStatistics.Of(AblationTables.SeedValues(runs, arm, "steps_to_baseline"));
            var speedup = SeedStatistics.Of(AblationTables.SeedValues(runs, arm, "speedup"));
            sb.Append(Invariant($"- {arm}: step {steps.Mean:F0}{(steps.Ci95 is { } h ? Invariant($" ± {h:F0}") : "")} (speed-up ×{speedup.Mean:F2}) in {n} of {reached.Count} seeds\n"));
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Per arm, the three most and least weighted domains, as multiples of uniform (1/k).</summary>
    public static string Weights(DataFrame domainWeights)
    {
        var sb = new StringBuilder("Domain weights the main model sampled by (× uniform):\n");
        foreach (var arm in Arms(domainWeights))
        {
            var rows = Enumerable.Range(0, (int)domainWeights.Rows.Count).Where(r => (string)domainWeights["arm"][r] == arm)
                .Select(r => (Domain: (string)domainWeights["domain"][r], Weight: Convert.ToDouble(domainWeights["weight"][r], CultureInfo.InvariantCulture))).ToList();
            if (rows.Count == 0) continue;
            double uniform = 1.0 / rows.Count;
            string Show(IEnumerable<(string Domain, double Weight)> xs) => string.Join(", ", xs.Select(x => Invariant($"{x.Domain} {x.Weight:F3} (×{x.Weight / uniform:F2})")));
            var ordered = rows.OrderByDescending(x => x.Weight).ToList();
            if (ordered[0].Weight - ordered[^1].Weight < 1e-6) { sb.Append(Invariant($"- {arm}: uniform ({uniform:F3} each)\n")); continue; }
            sb.Append($"- {arm}: most {Show(ordered.Take(3))}; least {Show(ordered.TakeLast(3).Reverse())}\n");
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>For iterated arms: where the rounds stopped and how far each round moved the weights.</summary>
    public static string Rounds(DataFrame runs)
    {
        var sb = new StringBuilder("Iterated DoReMi:\n");
        foreach (var arm in Arms(runs))
        {
            var rounds = AblationTables.SeedValues(runs, arm, "rounds");
            if (rounds.Count == 0) continue;
            var converged = AblationTables.SeedValues(runs, arm, "converged");
            var selected = AblationTables.SeedValues(runs, arm, "selected_round");
            var changes = Enumerable.Range(2, (int)rounds.Max() - 1).Where(r => Has(runs, $"l1_round{r}"))
                .Select(r => Invariant($"round {r}: {AblationTables.SeedValues(runs, arm, $"l1_round{r}").Average():F4}"));
            sb.Append(Invariant($"- {arm}: stopped below the L1 tolerance in {converged.Count(c => c > 0)} of {converged.Count} seeds, at round {selected.Average():F1} on average (of {rounds.Max():F0} computed); mean L1 change from the previous round: {string.Join(", ", changes)}\n"));
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Weight collapse (entropy below the threshold) and proxy batches that regularly miss domains, per arm,
    /// with the fixes the DoReMi authors suggest.</summary>
    public static IReadOnlyList<string> Warnings(DataFrame runs)
    {
        var warnings = new List<string>();
        foreach (var arm in Arms(runs))
        {
            int k = Has(runs, "domains") ? (int)AblationTables.SeedValues(runs, arm, "domains").DefaultIfEmpty(0).Max() : 0;
            var windows = Has(runs, "proxy_windows_per_step") ? AblationTables.SeedValues(runs, arm, "proxy_windows_per_step") : [];
            string batch = windows.Count > 0 && k > 0 ? Invariant($" (here {windows[0]:F0} windows per proxy step over {k} domains)") : "";
            if (Has(runs, "collapsed") && AblationTables.SeedValues(runs, arm, "collapsed") is { Count: > 0 } collapsed && collapsed.Any(c => c > 0))
            {
                double ratio = Math.Min(Has(runs, "alpha_entropy_final_ratio") ? AblationTables.SeedValues(runs, arm, "alpha_entropy_final_ratio").DefaultIfEmpty(1).Min() : 1,
                                        AblationTables.SeedValues(runs, arm, "weights_entropy_ratio").DefaultIfEmpty(1).Min());
                warnings.Add(Invariant($"WARNING {arm}: domain weights collapsed toward few domains in {collapsed.Count(c => c > 0)} of {collapsed.Count} seeds ") +
                    Invariant($"(entropy down to {100 * ratio:F0}% of uniform's ln k). The DoReMi authors' fixes: larger proxy batches so every domain appears in each step{batch}, ") +
                    "a reference model trained on natural proportions rather than uniform, and a smaller step size η.");
            }
            if (windows.Count > 0 && k > 0 && Has(runs, "proxy_missing_expected"))
            {
                double expected = AblationTables.SeedValues(runs, arm, "proxy_missing_expected").Average();
                if (expected <= MissingWarning) continue;
                var observed = Has(runs, "proxy_missing_observed") ? AblationTables.SeedValues(runs, arm, "proxy_missing_observed") : [];
                long needed = DomainWeightStats.WindowsToMissLessThan(1.0 / k, MissingWarning);
                warnings.Add(Invariant($"WARNING {arm}: each proxy step draws {windows[0]:F0} windows, one domain each, over {k} domains, so a domain is missing from ") +
                    Invariant($"{100 * expected:F0}% of steps{(observed.Count > 0 ? Invariant($" (observed: {100 * observed.Average():F0}% of domains absent per step)") : "")}; ") +
                    Invariant($"a missing domain keeps its previous λ, so its weight moves on stale excess losses. With uniform sampling, {needed} windows per step ") +
                    Invariant($"(BatchSize × GradAccumulation) miss a domain in under {100 * MissingWarning:F0}% of steps."));
            }
        }
        return warnings;
    }

    static IReadOnlyList<string> Arms(DataFrame frame) => frame["arm"].Cast<string>().Distinct().ToList();
    static bool Has(DataFrame frame, string column) => frame.Columns.IndexOf(column) >= 0;
    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
