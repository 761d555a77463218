namespace ResearchKit.Pipeline;

/// <summary>What a running stage gets: the folder to write into, its inputs' artifacts, progress, cancellation and a
/// place for counters that end up in its artifact record.</summary>
public sealed class StageContext
{
    readonly StageRunner _runner;
    readonly IStage _stage;

    internal StageContext(StageRunner runner, IStage stage, string directory, IProgress<WorkProgress>? progress, CancellationToken cancellation)
    {
        _runner = runner;
        _stage = stage;
        Directory = directory;
        Progress = progress;
        Cancellation = cancellation;
    }

    /// <summary>The stage's working folder; it becomes the artifact's folder when the stage finishes.</summary>
    public string Directory { get; }
    public IProgress<WorkProgress>? Progress { get; }
    public CancellationToken Cancellation { get; }

    /// <summary>Named numbers about the run (documents kept, tokens written...), saved in <c>artifact.json</c>.</summary>
    public Dictionary<string, double> Stats { get; } = [];

    /// <summary>The artifact of one of this stage's declared inputs.</summary>
    public T Input<T>(Stage<T> input)
    {
        if (!_stage.Inputs.Values.Any(i => ReferenceEquals(i, input) || i.Key == input.Key))
            throw new InvalidOperationException($"stage {_stage.Name} reads {input.Name}, which is not among its declared inputs");
        return _runner.Run(input);
    }

    /// <summary>A file in the stage's folder.</summary>
    public string PathOf(string name) => Path.Combine(Directory, name);
}
