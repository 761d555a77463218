using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Training;

namespace ResearchKit.DoReMi;

/// <summary>
/// What a DoReMi arm shows besides its main model's evaluation, computed from its stages' files:
/// <list type="bullet">
/// <item>table <c>domain_weights</c> (domain, weight: what the main model sampled by; alpha_final, lambda_mean: the
/// proxy's last α and mean λ, null for arms without a proxy) and, for iterated DoReMi, <c>round_weights</c>
/// (round, domain, weight);</item>
/// <item>curves over the proxy's steps: <c>alpha_&lt;domain&gt;</c>, <c>lambda_&lt;domain&gt;</c> (for the excess objective
/// the per-domain excess loss; a domain absent from a step keeps its λ), <c>alpha_entropy</c>, <c>proxy_loss</c>,
/// <c>proxy_present_domains</c>; over the main model's steps: <c>val_bpb_domain_mean</c>, <c>val_bpb</c>,
/// <c>val_bpb_worst</c> on the curve's held-out set;</item>
/// <item>metrics: <c>domains</c> (k), <c>weights_entropy</c> (nats) and <c>weights_entropy_ratio</c> (÷ ln k), <c>alpha_entropy_min_ratio</c>,
/// <c>alpha_entropy_final_ratio</c>, <c>collapsed</c> (1 when the weights' or α_T's entropy ratio is below
/// <paramref name="collapseRatio"/>), <c>proxy_missing_expected</c> (expected share of domains absent from a proxy
/// step: mean_i (1 − p_i)^(windows per step)), <c>proxy_missing_observed</c>, <c>proxy_parameters</c>;
/// <c>steps_to_baseline</c>, <c>reached_baseline</c>, <c>speedup</c> (see below); iterated: <c>rounds</c>,
/// <c>selected_round</c>, <c>converged</c>, <c>l1_round&lt;r&gt;</c>.</item>
/// </list>
/// <b>Steps to baseline</b> is defined on periodic validation, not on the training loss (each arm trains on its own
/// mixture, so training losses do not compare across arms): the first step at which the main model's held-out
/// domain-uniform mean bits per byte, linearly interpolated between curve points, reaches the uniform baseline's final
/// value on the same held-out set. <c>speedup</c> = baseline steps ÷ that step. Not reached: <c>reached_baseline</c> = 0
/// and no step.
/// </summary>
/// <param name="proxies">The proxy run of each round (one for plain DoReMi; none for uniform or natural weights).</param>
/// <param name="baseline">The uniform-weights main model of the same seed (the arm's own main model for the uniform arm).</param>
/// <param name="collapseRatio">Entropy ÷ ln k below which the weights count as collapsed.</param>
public sealed class DoReMiSummaryStage(Stage<TokenDatasetArtifact> tokens, Stage<DomainWeightsArtifact> weights, Stage<CheckpointArtifact> main,
    Stage<CheckpointArtifact> baseline, IReadOnlyList<Stage<CheckpointArtifact>> proxies, bool iterated, double collapseRatio) : Stage<ArmResultArtifact>
{
    public override string Name => "doremi-summary";
    public override object KeyConfig => new { Iterated = iterated, CollapseRatio = collapseRatio };

    public override IReadOnlyDictionary<string, IStage> Inputs
    {
        get
        {
            var inputs = new Dictionary<string, IStage> { ["tokens"] = tokens, ["weights"] = weights, ["main"] = main, ["baseline"] = baseline };
            for (int r = 0; r < proxies.Count; r++) inputs[$"proxy{r + 1}"] = proxies[r];
            return inputs;
        }
    }

    public override string Describe() => "DoReMi weights, α and λ over proxy steps, collapse and missing-domain checks, steps to the uniform baseline";

    public override void Run(StageContext context)
    {
        var domains = context.Input(tokens).Dataset.Domains;
        int k = domains.Count;
        var weightsArtifact = context.Input(weights);
        var w = Normalise(weightsArtifact.Read(domains));
        var metrics = new Dictionary<string, double>
        {
            ["weights_entropy"] = DomainWeightStats.Entropy(w),
            ["weights_entropy_ratio"] = DomainWeightStats.EntropyRatio(w),
            ["domains"] = k,
        };
        var curves = new List<CurvePoint>();
        var tables = new Dictionary<string, DataFrame>();
        double?[] alphaFinal = new double?[k], lambdaMean = new double?[k];
        bool collapsed = metrics["weights_entropy_ratio"] < collapseRatio;

        int selectedRound = 1;
        if (iterated)
        {
            var rounds = IteratedWeightsStage.ReadRounds(weightsArtifact);
            selectedRound = rounds.SelectedRound;
            metrics["rounds"] = rounds.Weights.Count;
            metrics["selected_round"] = rounds.SelectedRound;
            metrics["converged"] = rounds.Converged ? 1 : 0;
            for (int r = 1; r < rounds.Weights.Count; r++) metrics[$"l1_round{r + 1}"] = rounds.L1Change[r]!.Value;
            tables["round_weights"] = new DataFrame(
                new Int32DataFrameColumn("round", rounds.Weights.SelectMany((_, r) => Enumerable.Repeat(r + 1, k))),
                new StringDataFrameColumn("domain", rounds.Weights.SelectMany(_ => domains)),
                new DoubleDataFrameColumn("weight", rounds.Weights.SelectMany(x => x)));
        }

        if (proxies.Count > 0)
        {
            var proxy = context.Input(proxies[Math.Min(selectedRound, proxies.Count) - 1]);
            var config = proxy.Config;
            var steps = proxy.Metrics;
            var alphaEntropy = new List<double>();
            var lambdaSums = new double[k];
            double missing = 0;
            foreach (var m in steps)
            {
                var extras = m.Extras ?? throw new DataFormatException(proxy.CheckpointPath, m.Step, "Metrics.Extras", "the proxy logged no domain weights: was it trained with the group-dro objective?");
                var alpha = domains.Select(d => Extra(extras, proxy, m, "w_" + d)).ToArray();
                for (int d = 0; d < k; d++)
                {
                    double lambda = Extra(extras, proxy, m, "score_" + domains[d]);
                    lambdaSums[d] += lambda;
                    curves.Add(new("alpha_" + domains[d], m.Step, alpha[d]));
                    curves.Add(new("lambda_" + domains[d], m.Step, lambda));
                }
                alphaEntropy.Add(DomainWeightStats.EntropyRatio(alpha));
                curves.Add(new("alpha_entropy", m.Step, DomainWeightStats.Entropy(alpha)));
                curves.Add(new("proxy_loss", m.Step, m.Loss));
                if (extras.TryGetValue("present_domains", out var present))
                {
                    curves.Add(new("proxy_present_domains", m.Step, present));
                    missing += (k - present) / k;
                }
                if (m == steps[^1]) for (int d = 0; d < k; d++) alphaFinal[d] = alpha[d];
            }
            for (int d = 0; d < k; d++) lambdaMean[d] = lambdaSums[d] / steps.Count;
            metrics["alpha_entropy_min_ratio"] = alphaEntropy.Min();
            metrics["alpha_entropy_final_ratio"] = alphaEntropy[^1];
            if (steps[^1].Extras!.ContainsKey("present_domains")) metrics["proxy_missing_observed"] = missing / steps.Count;
            var sampling = config.Data.DomainWeights ?? Enumerable.Repeat(1.0 / k, k).ToArray();
            long windows = (long)config.BatchSize * config.GradAccumulation;
            metrics["proxy_missing_expected"] = DomainWeightStats.ExpectedMissingDomains(sampling, windows) / k;
            metrics["proxy_windows_per_step"] = windows;
            metrics["proxy_parameters"] = config.Model.ParameterCount;
            collapsed |= alphaEntropy[^1] < collapseRatio;
        }
        metrics["collapsed"] = collapsed ? 1 : 0;
        tables["domain_weights"] = new DataFrame(
            new StringDataFrameColumn("domain", domains),
            new DoubleDataFrameColumn("weight", w),
            new DoubleDataFrameColumn("alpha_final", alphaFinal),
            new DoubleDataFrameColumn("lambda_mean", lambdaMean));

        var mainRun = context.Input(main);
        var curve = ValidationCurveTrainStage.Read(mainRun);
        var points = CurveOf(curve, "val_bpb_domain_mean");
        foreach (var metric in new[] { "val_bpb_domain_mean", "val_bpb", "val_bpb_worst" })
            foreach (var (step, value) in CurveOf(curve, metric)) curves.Add(new(metric, step, value));
        var baselineRun = context.Input(baseline);
        double target = CurveOf(ValidationCurveTrainStage.Read(baselineRun), "val_bpb_domain_mean")[^1].Value;
        metrics["baseline_final_bpb_domain_mean"] = target;
        if (StepsToReach(points, target) is { } reached)
        {
            metrics["steps_to_baseline"] = reached;
            metrics["speedup"] = baselineRun.Config.Steps / reached;
            metrics["reached_baseline"] = 1;
        }
        else metrics["reached_baseline"] = 0;

        ArmResultArtifact.Write(context.Directory, new ArmResult(metrics) { Curves = curves, Tables = tables });
    }

    public override ArmResultArtifact Load(string directory) => new(directory);

    /// <summary>The first step at which the curve, linearly interpolated between its points, is at or below
    /// <paramref name="target"/>; null when it never is. Before the first point nothing is interpolated (the curve
    /// starts there).</summary>
    public static double? StepsToReach(IReadOnlyList<(long Step, double Value)> curve, double target)
    {
        for (int i = 0; i < curve.Count; i++)
        {
            if (curve[i].Value > target) continue;
            if (i == 0) return curve[0].Step;
            var (s0, v0) = curve[i - 1];
            var (s1, v1) = curve[i];
            return s0 + (s1 - s0) * (v0 - target) / (v0 - v1);
        }
        return null;
    }

    static List<(long Step, double Value)> CurveOf(DataFrame curve, string metric) =>
        Enumerable.Range(0, (int)curve.Rows.Count).Select(r => ((long)curve["step"][r]!, (double)curve[metric][r]!)).OrderBy(p => p.Item1).ToList();

    static double Extra(IReadOnlyDictionary<string, double> extras, CheckpointArtifact proxy, StepMetrics m, string name) =>
        extras.TryGetValue(name, out var v) ? v
            : throw new DataFormatException(proxy.CheckpointPath, m.Step, $"Metrics.Extras.{name}", "missing: the proxy's domains differ from the training tokens'");

    static double[] Normalise(double[] w) => w.Select(x => x / w.Sum()).ToArray();
}
