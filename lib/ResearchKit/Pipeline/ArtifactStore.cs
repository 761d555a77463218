namespace ResearchKit.Pipeline;

/// <summary>
/// The folder under which every stage's artifact lives, one subfolder per key: <c>&lt;root&gt;/&lt;stage&gt;-&lt;key16&gt;/</c>.
/// A stage runs in <c>&lt;folder&gt;.partial/</c>, which is renamed into place only after <see cref="ArtifactRecord"/>
/// is written, so a folder without <c>.partial</c> is always complete; <c>&lt;folder&gt;.lock</c> keeps two processes
/// from computing the same stage at once.
/// </summary>
public sealed class ArtifactStore(string root)
{
    /// <summary>Environment variable that points every run at one store (e.g. a shared disk).</summary>
    public const string RootVariable = "RK_STAGES";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The store under <paramref name="resultsDirectory"/>/stages, or <c>$RK_STAGES</c> when set.</summary>
    public static ArtifactStore For(string resultsDirectory) =>
        new(Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } shared ? shared : Path.Combine(resultsDirectory, "stages"));

    public string FolderOf(IStage stage) => Path.Combine(Root, $"{stage.Name}-{stage.Key[..16]}");
    internal string PartialOf(IStage stage) => FolderOf(stage) + ".partial";
    internal string LockOf(IStage stage) => FolderOf(stage) + ".lock";

    /// <summary>The finished artifact's record, or null when the stage has not finished (or its folder belongs to
    /// another key that shares the first 16 hex digits: then it is recomputed).</summary>
    public ArtifactRecord? Finished(IStage stage)
    {
        var record = ArtifactRecord.Read(FolderOf(stage));
        return record is not null && record.Key == stage.Key ? record : null;
    }

    public StageStatus StatusOf(IStage stage) =>
        Finished(stage) is not null ? StageStatus.Cached : Directory.Exists(PartialOf(stage)) ? StageStatus.Partial : StageStatus.ToCompute;
}

/// <summary>Where a stage stands in a store.</summary>
public enum StageStatus
{
    /// <summary>Finished; its artifact is reused.</summary>
    Cached,
    /// <summary>Started and interrupted: resumable stages continue, others start over.</summary>
    Partial,
    ToCompute,
}
