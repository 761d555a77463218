using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>One arm of an ablation: a name and how its config differs from the base, e.g. <c>c => c with { CooldownFraction = 0.1 }</c>.</summary>
public sealed record Arm<TConfig>(string Name, Func<TConfig, TConfig> Derive);

/// <summary>A config that an ablation can rerun with other seeds (data order and initial weights).</summary>
public interface ISeeded<TConfig>
{
    /// <summary>The seed this config runs with.</summary>
    int Seed { get; }
    /// <summary>The same config with another seed.</summary>
    TConfig WithSeed(int seed);
}

/// <summary>The stages whose artifacts make up one arm's results (each an <see cref="IArmResultPart"/>: a trained
/// model's curves, an evaluation's losses, a method's own measurements).</summary>
public sealed record ArmPlan(params IReadOnlyList<IStage> Outputs);

/// <summary>
/// An ablation as data (config as code): base configs per preset, named arms derived from the base, how many seeds
/// each arm runs, and how one resolved arm config becomes stages (<see cref="Plan"/>). Presets (<c>tiny</c>,
/// <c>gpu</c>, <c>smoke</c>) differ only in numbers; the arms are the same in every preset.
/// </summary>
/// <param name="Name">File-safe name, e.g. <c>meco-cooldown</c>; results go to <c>&lt;results&gt;/&lt;Name&gt;/</c>.</param>
/// <param name="Presets">Base config per preset name.</param>
/// <param name="Plan">The stages of one arm for one seed; deterministic in its config (the config carries the seed).</param>
public sealed record Ablation<TConfig>(
    string Name,
    string Description,
    IReadOnlyDictionary<string, TConfig> Presets,
    IReadOnlyList<Arm<TConfig>> Arms,
    Func<TConfig, ArmPlan> Plan) : IAblation where TConfig : ISeeded<TConfig>
{
    /// <summary>Seeds per arm by default: seed, seed+1, … of the base config.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Seeds per preset where it differs from <see cref="Seeds"/> (e.g. 1 for <c>smoke</c>, to keep CI short).</summary>
    public IReadOnlyDictionary<string, int> PresetSeeds { get; init; } = new Dictionary<string, int>();

    IReadOnlyCollection<string> IAblation.Presets => Presets.Keys.ToArray();
    IReadOnlyList<string> IAblation.Arms => Arms.Select(a => a.Name).ToArray();

    public int SeedsFor(string preset) => PresetSeeds.TryGetValue(preset, out var n) ? n : Seeds;

    /// <summary>The arms of <paramref name="preset"/>, each with its fully resolved config (first seed), in declaration order.</summary>
    public IReadOnlyList<(string Arm, TConfig Config)> Resolve(string preset)
    {
        if (!Presets.TryGetValue(preset, out var baseConfig))
            throw new ArgumentException($"ablation '{Name}' has no preset '{preset}' (it has: {string.Join(", ", Presets.Keys)})", nameof(preset));
        Validate();
        return Arms.Select(a => (a.Name, a.Derive(baseConfig))).ToArray();
    }

    /// <summary>Every (arm, seed) with its config and plan.</summary>
    public IReadOnlyList<ArmRun<TConfig>> Runs(string preset, AblationOptions? options = null)
    {
        int n = options?.Seeds ?? SeedsFor(preset);
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(options), n, "an arm runs at least one seed");
        var arms = Resolve(preset);
        if (options?.Arms is { } chosen)
        {
            var unknown = chosen.Except(arms.Select(a => a.Arm)).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"ablation '{Name}' has no arm {string.Join(", ", unknown.Select(u => $"'{u}'"))} (it has: {string.Join(", ", arms.Select(a => a.Arm))})");
            arms = arms.Where(a => chosen.Contains(a.Arm)).ToArray();
        }
        return arms.SelectMany(a => Enumerable.Range(0, n).Select(i =>
        {
            var config = i == 0 ? a.Config : a.Config.WithSeed(a.Config.Seed + i);
            return new ArmRun<TConfig>(a.Arm, config.Seed, config, Plan(config));
        })).ToArray();
    }

    public AblationResults Run(string preset, string resultsDirectory, AblationOptions? options = null, IProgress<WorkProgress>? progress = null,
        CancellationToken cancellationToken = default) =>
        AblationRunner.Run(this, preset, resultsDirectory, options, progress, cancellationToken);

    public IReadOnlyList<PlannedStage> PlanStages(string preset, string resultsDirectory, AblationOptions? options = null) =>
        StageRunner.Plan(ArtifactStore.For(resultsDirectory), Runs(preset, options).SelectMany(r => r.Plan.Outputs.Select(o => ($"{r.Arm}/seed{r.Seed}", o))));

    void Validate()
    {
        foreach (var name in Arms.Select(a => a.Name).Prepend(Name))
            if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new ArgumentException($"ablation/arm name '{name}' must be non-empty and use only letters, digits, '-', '_' or '.' (it names a folder)");
        if (Arms.Count == 0) throw new ArgumentException($"ablation '{Name}' has no arms");
        var duplicate = Arms.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"ablation '{Name}' has two arms named '{duplicate.Key}'");
    }
}

/// <summary>One arm with one seed: its resolved config and stages.</summary>
public sealed record ArmRun<TConfig>(string Arm, int Seed, TConfig Config, ArmPlan Plan);

/// <summary>How to run an ablation: seeds per arm (null = the ablation's default for the preset), which arms (null =
/// all; e.g. a quicker default in a notebook, the full grid by parameter), and whether to recompute cached stages.</summary>
public sealed record AblationOptions(int? Seeds = null, bool Rerun = false, IReadOnlyList<string>? Arms = null);
