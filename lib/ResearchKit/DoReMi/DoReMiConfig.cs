using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Training;

namespace ResearchKit.DoReMi;

/// <summary>Where a run's domain weights come from.</summary>
public enum DomainWeighting
{
    /// <summary>1/k for each of the k training domains.</summary>
    Uniform,
    /// <summary>Each domain's share of the training tokens.</summary>
    Natural,
    /// <summary>The averaged α of a Group-DRO proxy (iterated when <see cref="DoReMiConfig.Rounds"/> &gt; 1).</summary>
    DoReMi,
    /// <summary>A weights file in the DoReMi config layout (<see cref="DoReMiConfig.WeightsFile"/>).</summary>
    File,
}

/// <summary>How the main model's held-out curve is measured (for steps-to-baseline): <paramref name="Points"/> evenly
/// spaced evaluations, each over a seeded stratified sample of <paramref name="Documents"/> validation documents cut to
/// <paramref name="MaxChars"/> characters.</summary>
public sealed record ValidationCurveSpec(int Points = 8, int? Documents = 28, int? MaxChars = 1000, int BatchSize = 16);

/// <summary>
/// One DoReMi arm as data (DoReMi, Xie et al. 2023, with the kit's decisions): a <b>reference</b> model trained on the reference weights
/// (uniform or natural token proportions), a <b>proxy</b> of the same shape trained with Group DRO against it while
/// sampling uniformly (α₀ uniform), whose average α is the DoReMi weight vector, and the <b>main</b> model trained by
/// <see cref="Weights"/> — DoReMi's, uniform or natural — at the same steps and tokens in every arm, so arms compare at
/// equal tokens. Iterated DoReMi (<see cref="Rounds"/> &gt; 1) trains round k's reference on round k−1's weights. End of
/// text is excluded from every loss and from λ by default (<see cref="TrainEndOfText"/>), as in the reference code.
/// The seed is every run's seed (reference, proxy and main), so seeds measure the whole pipeline's noise.
/// </summary>
public sealed record DoReMiConfig : ISeeded<DoReMiConfig>
{
    public required DataSpec Data { get; init; }
    /// <summary><see cref="Tokenization.TextTokenizers"/> name; its vocabulary must fit the models'.</summary>
    public string Tokenizer { get; init; } = "bytes";
    /// <summary>The main model: shape, steps, batch, schedule. Its objective and domain weights are set by the arm.</summary>
    public required TrainConfig Main { get; init; }
    /// <summary>The proxy's (and the reference's) shape and budget; the objective comes from <see cref="Objective"/>.</summary>
    public required TrainConfig Proxy { get; init; }
    public EvalSpec Eval { get; init; } = new();
    /// <summary>What the main model samples domains by.</summary>
    public DomainWeighting Weights { get; init; } = DomainWeighting.DoReMi;
    /// <summary>The weights file for <see cref="DomainWeighting.File"/>.</summary>
    [NotHashed] public string? WeightsFile { get; init; }
    /// <summary>What the (first) reference model samples by: uniform or natural (the paper's baseline weights).</summary>
    public DomainWeighting ReferenceWeights { get; init; } = DomainWeighting.Natural;
    /// <summary>The proxy's Group-DRO objective: excess (DoReMi), hardest or easiest; η and smoothing c.</summary>
    public GroupDroObjective Objective { get; init; } = new();
    /// <summary>Iterated DoReMi: rounds computed (the maximum); 1 = plain DoReMi.</summary>
    public int Rounds { get; init; } = 1;
    /// <summary>Iterated DoReMi stops at the first round whose weights move less than this (L1) from the previous round's.</summary>
    public double Tolerance { get; init; } = 0.05;
    /// <summary>Train the end-of-text token (false: masked from every loss and from λ, as DoReMi's reference does).</summary>
    public bool TrainEndOfText { get; init; }
    public ValidationCurveSpec Curve { get; init; } = new();
    /// <summary>Entropy ÷ ln k below which weights count as collapsed.</summary>
    public double CollapseRatio { get; init; } = 0.5;

    public int Seed => Main.Seed;
    public DoReMiConfig WithSeed(int seed) => this with { Main = Main with { Seed = seed }, Proxy = Proxy with { Seed = seed } };

    /// <summary>The reference run: the proxy's shape and budget with the plain next-token objective.</summary>
    public TrainConfig ReferenceTrain => Proxy with { Objective = new NextTokenObjective(), Data = Proxy.Data with { DomainWeights = null, TrainEndOfText = TrainEndOfText }, Phases = [] };
    public TrainConfig ProxyTrain => Proxy with { Objective = Objective, Data = Proxy.Data with { DomainWeights = null, TrainEndOfText = TrainEndOfText }, Phases = [] };
    public TrainConfig MainTrain => Main with { Objective = new NextTokenObjective(), Data = Main.Data with { DomainWeights = null, TrainEndOfText = TrainEndOfText }, Phases = [] };

    /// <summary>The stages of one arm, by name.</summary>
    public sealed record Stages(
        TokenizeStage TrainTokens, Stage<DomainWeightsArtifact> UniformWeights, Stage<DomainWeightsArtifact> NaturalWeights,
        IReadOnlyList<TrainStage?> References, IReadOnlyList<TrainStage> Proxies, IReadOnlyList<ProxyWeightsStage> RoundWeights,
        Stage<DomainWeightsArtifact> MainWeights, ValidationCurveTrainStage Main, ValidationCurveTrainStage Baseline,
        EvaluateStage Evaluation, DoReMiSummaryStage Summary);

    public Stages Build()
    {
        Validate();
        var trainTokens = new TokenizeStage(new CorpusStage(Data, CorpusPart.Train), Tokenizer);
        var validationTokens = new TokenizeStage(new CorpusStage(Data, CorpusPart.Validation, Eval.Documents, Eval.MaxChars), Tokenizer);
        var curveTokens = new TokenizeStage(new CorpusStage(Data, CorpusPart.Validation, Curve.Documents, Curve.MaxChars), Tokenizer);
        var uniform = new UniformWeightsStage(trainTokens);
        var natural = new NaturalWeightsStage(trainTokens);
        var references = new List<TrainStage?>();
        var proxies = new List<TrainStage>();
        var rounds = new List<ProxyWeightsStage>();
        Stage<DomainWeightsArtifact> mainWeights;
        switch (Weights)
        {
            case DomainWeighting.Uniform: mainWeights = uniform; break;
            case DomainWeighting.Natural: mainWeights = natural; break;
            case DomainWeighting.File: mainWeights = new WeightsFileStage(trainTokens, WeightsFile!); break;
            default:
                Stage<DomainWeightsArtifact> referenceWeights = ReferenceWeights == DomainWeighting.Uniform ? uniform : natural;
                for (int r = 0; r < Rounds; r++)
                {
                    var reference = Objective.UsesReference ? new TrainStage(trainTokens, ReferenceTrain, weights: referenceWeights) : null;
                    // The proxy samples uniformly, given explicitly: Group DRO reweights α over the sampling weights.
                    var proxy = new TrainStage(trainTokens, ProxyTrain, weights: uniform, reference: reference);
                    var weights = new ProxyWeightsStage(trainTokens, proxy);
                    references.Add(reference);
                    proxies.Add(proxy);
                    rounds.Add(weights);
                    referenceWeights = weights;
                }
                mainWeights = Rounds == 1 ? rounds[0] : new IteratedWeightsStage(trainTokens, rounds, Tolerance);
                break;
        }
        ValidationCurveTrainStage MainOn(Stage<DomainWeightsArtifact> w) => new(trainTokens, MainTrain, curveTokens, Curve.Points, w, Curve.BatchSize);
        var main = MainOn(mainWeights);
        var baseline = Weights == DomainWeighting.Uniform ? main : MainOn(uniform);
        var evaluation = new EvaluateStage(main, validationTokens, Eval, Main.Data.Packing.DocumentMask, Main.Data.DocumentStart, Main.Device);
        var summary = new DoReMiSummaryStage(trainTokens, mainWeights, main, baseline, proxies, Rounds > 1, CollapseRatio);
        return new Stages(trainTokens, uniform, natural, references, proxies, rounds, mainWeights, main, baseline, evaluation, summary);
    }

    /// <summary>The arm's result stages: the main model (training curves), its evaluation and the DoReMi summary.</summary>
    public ArmPlan Plan()
    {
        var stages = Build();
        return new ArmPlan(stages.Main, stages.Evaluation, stages.Summary);
    }

    void Validate()
    {
        if (Weights == DomainWeighting.File && string.IsNullOrEmpty(WeightsFile))
            throw new ArgumentException("Weights = File needs WeightsFile (a JSON file {\"train_domain_weights\": {...}})");
        if (ReferenceWeights is not (DomainWeighting.Uniform or DomainWeighting.Natural))
            throw new ArgumentException($"the reference model samples by uniform or natural weights, not {ReferenceWeights}");
        if (Rounds < 1) throw new ArgumentOutOfRangeException(nameof(Rounds), Rounds, "DoReMi runs at least one round");
        if (Rounds > 1 && !Objective.UsesReference)
            throw new ArgumentException($"iterated DoReMi retrains the reference each round; the '{Objective.Variant}' objective does not use one, so every round would be the same");
        if (!(Tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "the tolerance is a non-negative L1 distance");
        if (!(CollapseRatio is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(CollapseRatio), CollapseRatio, "an entropy ratio lies in [0, 1]");
        if (Curve.Points < 1) throw new ArgumentOutOfRangeException(nameof(Curve), Curve.Points, "the validation curve has at least one point");
    }
}
