using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>An ablation seen without its config type: what <c>rk ablate</c> and catalogs need.</summary>
public interface IAblation
{
    string Name { get; }
    string Description { get; }
    IReadOnlyCollection<string> Presets { get; }
    IReadOnlyList<string> Arms { get; }
    int SeedsFor(string preset);

    /// <summary>Runs (or loads from the stage cache) every arm × seed of <paramref name="preset"/>; see <see cref="AblationRunner"/>.</summary>
    AblationResults Run(string preset, string resultsDirectory, AblationOptions? options = null, IProgress<WorkProgress>? progress = null,
        CancellationToken cancellationToken = default);

    /// <summary>What a run would compute and what is cached (a dry run).</summary>
    IReadOnlyList<PlannedStage> PlanStages(string preset, string resultsDirectory, AblationOptions? options = null);
}
