using ResearchKit.DoReMi;
using ResearchKit.Experiments;
using ResearchKit.Training;

namespace ResearchKit.Recipes;

/// <summary>
/// DoReMi's four ablations (<c>rk ablate doremi-baselines|doremi-proxy-size|doremi-objective|doremi-iterated</c>). Every
/// arm is the reference → Group-DRO proxy → main-model pipeline of <see cref="DoReMiConfig"/>; arms that agree on a
/// stage share it (the DoReMi arm of one ablation is the excess arm of another and round 1 of the iterated one, the
/// uniform main model is every ablation's baseline). Presets differ only in numbers: <c>tiny</c> (CPU, byte-level
/// GPTs, 3 seeds), <c>gpu</c> (GPT-2-small main models on cl100k tokens, bf16) and <c>smoke</c> (seconds; tests and CI,
/// 2 seeds). All presets use the reference's linear-warmup-exponential schedule with a 6% warmup.
/// </summary>
public static class DoReMiRecipes
{
    public const string Baseline = "uniform";

    static LrSchedule Exponential(int steps, double endRatio) =>
        new(ScheduleKind.LinearWarmupExponential, WarmupSteps: Math.Max(1, (int)Math.Round(0.06 * steps)), MinLrRatio: endRatio);

    public static IReadOnlyDictionary<string, DoReMiConfig> Presets(string corpus = RecipeCatalog.DefaultCorpus) => new Dictionary<string, DoReMiConfig>
    {
        ["tiny"] = new()
        {
            Data = new DataSpec { Corpus = corpus },
            Main = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 128, Layers: 4, Heads: 4, Context: 128),
                Steps = 200, BatchSize = 16, Seed = 1112,
                Optimizer = new OptimizerConfig(Lr: 3e-3, WeightDecay: 0.1),
                Schedule = Exponential(200, 1.0 / 3),
            },
            Proxy = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 64, Layers: 2, Heads: 4, Context: 128),
                Steps = 200, BatchSize = 16, Seed = 1112,
                Optimizer = new OptimizerConfig(Lr: 3e-3, WeightDecay: 0.1),
                Schedule = Exponential(200, 1.0 / 3),
            },
            Eval = new EvalSpec(Documents: 140, MaxChars: 4000),
            Curve = new ValidationCurveSpec(Points: 8, Documents: 28, MaxChars: 1000),
        },
        ["gpu"] = new()
        {
            Data = new DataSpec { Corpus = corpus },
            Tokenizer = "cl100k_base",
            Main = TrainConfig.Gpu(100_352) with { Seed = 1112, Schedule = Exponential(5_000, 0.1) },
            Proxy = TrainConfig.Gpu(100_352) with { Model = new GptConfig(100_352, DModel: 384, Layers: 6, Heads: 6, Context: 1024), Seed = 1112, Schedule = Exponential(5_000, 0.1) },
            Eval = new EvalSpec(BatchSize: 32, Documents: 2000, MaxChars: 16_000),
            Curve = new ValidationCurveSpec(Points: 10, Documents: 280, MaxChars: 4000, BatchSize: 32),
        },
        ["smoke"] = new()
        {
            Data = new DataSpec { Corpus = corpus, MaxDocuments = 120, ValidationFraction = 0.25 },
            Main = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 32, Layers: 1, Heads: 2, Context: 64),
                Steps = 8, BatchSize = 4, Seed = 1112, Schedule = Exponential(8, 0.1),
            },
            Proxy = TrainConfig.Tiny(257) with
            {
                Model = new GptConfig(257, DModel: 16, Layers: 1, Heads: 2, Context: 64),
                Steps = 6, BatchSize = 4, Seed = 1112, Schedule = Exponential(6, 0.1),
            },
            Eval = new EvalSpec(BatchSize: 8, Documents: 16, MaxChars: 400),
            Curve = new ValidationCurveSpec(Points: 2, Documents: 14, MaxChars: 200, BatchSize: 8),
        },
    };

    static readonly Dictionary<string, int> SmokeSeeds = new() { ["smoke"] = 2 };

    static DoReMiConfig Uniform(DoReMiConfig c) => c with { Weights = DomainWeighting.Uniform };
    static DoReMiConfig DoReMi(DoReMiConfig c) => c with { Weights = DomainWeighting.DoReMi };

    /// <summary>The main model trained by uniform, natural and DoReMi weights at equal tokens.</summary>
    public static Ablation<DoReMiConfig> Baselines(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "doremi-baselines",
        "DoReMi vs uniform vs natural domain weights for the same main model at equal tokens (reference on natural proportions, proxy sampling uniformly, excess-loss Group DRO, η = 1, c = 1e-3)",
        Presets(corpus),
        [
            new(Baseline, Uniform),
            new("natural", c => c with { Weights = DomainWeighting.Natural }),
            new("doremi", DoReMi),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };

    /// <summary>A proxy (and reference) half, equal to and twice the preset's proxy in width and depth; each set of weights
    /// trains the same main model.</summary>
    public static Ablation<DoReMiConfig> ProxySize(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "doremi-proxy-size",
        "Proxy and reference size (×0.5, ×1, ×2 the preset's proxy in width and depth; ×2 is the main model's size at tiny): each proxy's weights train the same main model. The paper's finding to check: weights from a small proxy transfer to a larger main model",
        Presets(corpus),
        [
            new(Baseline, Uniform),
            new("proxy-x0.5", c => DoReMi(c) with { Proxy = c.Proxy with { Model = Scale(c.Proxy.Model, 0.5) } }),
            new("proxy-x1", DoReMi),
            new("proxy-x2", c => DoReMi(c) with { Proxy = c.Proxy with { Model = Scale(c.Proxy.Model, 2) } }),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };

    /// <summary>Excess loss (DoReMi) vs hardest (λ = proxy loss) vs easiest (λ = −reference loss): one reference model
    /// per seed serves both arms that use one.</summary>
    public static Ablation<DoReMiConfig> Objective(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "doremi-objective",
        "Group-DRO objective: excess loss (DoReMi) vs hardest (λ = proxy loss, no reference) vs easiest (λ = −reference loss, no clip); same reference model (computed once per seed), same main model",
        Presets(corpus),
        [
            new(Baseline, Uniform),
            new("excess", DoReMi),
            new("hardest", c => DoReMi(c) with { Objective = c.Objective with { Variant = DroVariant.Hardest } }),
            new("easiest", c => DoReMi(c) with { Objective = c.Objective with { Variant = DroVariant.Easiest } }),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };

    /// <summary>Iterated DoReMi: round k's reference trains on round k−1's weights, up to 3 rounds, stopping at the first
    /// round whose weights move less than 0.05 (L1); against one round and uniform.</summary>
    public static Ablation<DoReMiConfig> Iterated(string corpus = RecipeCatalog.DefaultCorpus) => new(
        "doremi-iterated",
        "Iterated DoReMi: round k's reference model trains on round k-1's weights; up to 3 rounds (all computed: stage graphs are static), the main model trains on the first round whose weights moved < 0.05 (L1) from the previous round's, else on round 3's; vs one round and uniform",
        Presets(corpus),
        [
            new(Baseline, Uniform),
            new("doremi", DoReMi),
            new("iterated", c => DoReMi(c) with { Rounds = 3, Tolerance = 0.05 }),
        ],
        c => c.Plan()) { PresetSeeds = SmokeSeeds };

    /// <summary>A model <paramref name="factor"/> times as wide and deep, with the same head width.</summary>
    public static GptConfig Scale(GptConfig model, double factor)
    {
        int width = Math.Max(model.HeadDim, (int)Math.Round(model.DModel * factor / model.HeadDim) * model.HeadDim);
        return model with { DModel = width, Heads = width / model.HeadDim, Layers = Math.Max(1, (int)Math.Round(model.Layers * factor)) };
    }
}
