namespace ResearchKit.Experiments;

/// <summary>One arm of an ablation: a name and how its config differs from the base, e.g. <c>c => c with { CooldownFraction = 0.1 }</c>.</summary>
public sealed record Arm<TConfig>(string Name, Func<TConfig, TConfig> Derive);

/// <summary>
/// An ablation as data (config as code): base configs per preset, named arms derived from the base, and the work that
/// turns one resolved arm config into an <see cref="ArmResult"/>. Presets (<c>tiny</c>, <c>gpu</c>, ...) differ only in
/// numbers; the arms are the same in every preset. The work does not depend on the runner, nor the runner on a trainer.
/// </summary>
/// <param name="Name">File-safe name, e.g. <c>meco-cooldown</c>; results go to <c>&lt;results&gt;/&lt;Name&gt;/</c>.</param>
/// <param name="Presets">Base config per preset name.</param>
/// <param name="Work">Runs one arm. It must be deterministic in its config (the config carries the seed).</param>
public sealed record Ablation<TConfig>(
    string Name,
    string Description,
    IReadOnlyDictionary<string, TConfig> Presets,
    IReadOnlyList<Arm<TConfig>> Arms,
    Func<TConfig, IProgress<WorkProgress>?, CancellationToken, ArmResult> Work) : IAblation
{
    IReadOnlyCollection<string> IAblation.Presets => Presets.Keys.ToArray();
    IReadOnlyList<string> IAblation.Arms => Arms.Select(a => a.Name).ToArray();

    /// <summary>The arms of <paramref name="preset"/>, each with its fully resolved config, in declaration order.</summary>
    public IReadOnlyList<(string Arm, TConfig Config)> Resolve(string preset)
    {
        if (!Presets.TryGetValue(preset, out var baseConfig))
            throw new ArgumentException($"ablation '{Name}' has no preset '{preset}' (it has: {string.Join(", ", Presets.Keys)})", nameof(preset));
        Validate();
        return Arms.Select(a => (a.Name, a.Derive(baseConfig))).ToArray();
    }

    public AblationResults Run(string preset, string resultsDirectory, IProgress<WorkProgress>? progress = null,
        CancellationToken cancellationToken = default, bool rerun = false) =>
        AblationRunner.Run(this, preset, resultsDirectory, progress, cancellationToken, rerun);

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
