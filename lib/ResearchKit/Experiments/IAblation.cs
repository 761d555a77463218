namespace ResearchKit.Experiments;

/// <summary>An ablation seen without its config type: what <c>rk ablate</c> and the catalog need.</summary>
public interface IAblation
{
    string Name { get; }
    string Description { get; }
    IReadOnlyCollection<string> Presets { get; }
    IReadOnlyList<string> Arms { get; }

    /// <summary>Runs (or loads from cache) every arm of <paramref name="preset"/>; see <see cref="AblationRunner"/>.</summary>
    AblationResults Run(string preset, string resultsDirectory, IProgress<WorkProgress>? progress = null,
        CancellationToken cancellationToken = default, bool rerun = false);
}
