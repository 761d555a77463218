using System.Diagnostics;

namespace ResearchKit.Pipeline;

/// <summary>
/// Runs stages against an <see cref="ArtifactStore"/>: inputs first (depth first, in declaration order), each stage at
/// most once per key, reusing finished artifacts. Counts what it computed and what it found cached, so a test or a
/// dry run can see that a shared stage (one reference model for three DoReMi proxies) ran once.
/// </summary>
public sealed class StageRunner(ArtifactStore store, IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default, bool recompute = false)
    : IDisposable
{
    readonly Dictionary<string, object> _loaded = [];
    readonly HashSet<string> _recomputed = [];
    readonly List<IStage> _computed = [];
    readonly List<IStage> _cached = [];

    public ArtifactStore Store => store;
    /// <summary>Stages computed by this runner, in order.</summary>
    public IReadOnlyList<IStage> Computed => _computed;
    /// <summary>Stages found finished in the store (each counted once).</summary>
    public IReadOnlyList<IStage> Cached => _cached;

    /// <summary>The artifact of <paramref name="stage"/>, computing it and whatever it needs first.</summary>
    public T Run<T>(Stage<T> stage) => (T)Run((IStage)stage);

    /// <summary>The artifact of any stage, as its runtime type.</summary>
    public object Run(IStage stage)
    {
        if (_loaded.TryGetValue(stage.Key, out var known)) return known;
        Ensure(stage);
        var artifact = stage.LoadArtifact(store.FolderOf(stage));
        _loaded[stage.Key] = artifact;
        return artifact;
    }

    /// <summary>Closes the artifacts this runner opened (memory-mapped token datasets).</summary>
    public void Dispose()
    {
        foreach (var a in _loaded.Values) (a as IDisposable)?.Dispose();
        _loaded.Clear();
    }

    void Ensure(IStage stage)
    {
        cancellation.ThrowIfCancellationRequested();
        bool fresh = !recompute || _recomputed.Contains(stage.Key);
        if (fresh && store.Finished(stage) is not null) { Note(_cached, stage); return; }
        foreach (var input in stage.Inputs.Values) Ensure(input);

        Directory.CreateDirectory(store.Root);
        using var gate = AcquireLock(stage);
        if (fresh && store.Finished(stage) is not null) { Note(_cached, stage); return; }   // another process finished it while we waited
        var folder = store.FolderOf(stage);
        var partial = store.PartialOf(stage);
        if (Directory.Exists(partial) && !stage.Resumable) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);

        var label = $"{stage.Name} {stage.Key[..8]}";
        progress?.Report(new WorkProgress(label, 0, null, stage.Describe()));
        var clock = Stopwatch.StartNew();
        var context = new StageContext(this, stage, partial, progress is null ? null : new Progress(progress, label), cancellation);
        stage.Run(context);
        cancellation.ThrowIfCancellationRequested();
        new ArtifactRecord(stage.Name, stage.Key, stage.SchemaVersion, StageKey.Canonical(stage)["config"]?.DeepClone(),
            stage.Inputs.ToDictionary(i => i.Key, i => $"{i.Value.Name}-{i.Value.Key[..16]}"),
            stage.Corpora.ToDictionary(c => c, ContentFingerprint.Of),
            context.Stats, DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, ArtifactRecord.MachineDescription, ArtifactRecord.KitVersion).Write(partial);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.Move(partial, folder);
        _recomputed.Add(stage.Key);
        if (_loaded.Remove(stage.Key, out var stale)) (stale as IDisposable)?.Dispose();
        _computed.Add(stage);
        progress?.Report(new WorkProgress(label, 1, 1, $"done in {clock.Elapsed.TotalSeconds:F1} s"));
    }

    void Note(List<IStage> list, IStage stage)
    {
        if (!list.Any(s => s.Key == stage.Key)) list.Add(stage);
    }

    /// <summary>An exclusive lock file per stage (advisory, across processes); waits while another process holds it.</summary>
    FileStream AcquireLock(IStage stage)
    {
        var path = store.LockOf(stage);
        var waited = Stopwatch.StartNew();
        bool reported = false;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (File.Exists(path))
            {
                if (!reported && waited.Elapsed > TimeSpan.FromSeconds(1))
                {
                    progress?.Report(new WorkProgress($"{stage.Name} {stage.Key[..8]}", 0, null, "waiting: another process is computing this stage"));
                    reported = true;
                }
                Thread.Sleep(200);
            }
        }
    }

    /// <summary>Prefixes a stage's own progress reports with its label.</summary>
    sealed class Progress(IProgress<WorkProgress> inner, string label) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => inner.Report(value with { Stage = $"{label} · {value.Stage}" });
    }

    /// <summary>Every stage the targets need, inputs before the stages that read them, each once, with its status in
    /// the store and how many targets use it (what <c>rk ablate --dry-run</c> prints).</summary>
    public static IReadOnlyList<PlannedStage> Plan(ArtifactStore store, IEnumerable<(string Target, IStage Stage)> targets)
    {
        var order = new List<IStage>();
        var users = new Dictionary<string, SortedSet<string>>();
        void Visit(IStage s, string target)
        {
            if (!users.TryGetValue(s.Key, out var set))
            {
                users[s.Key] = set = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var input in s.Inputs.Values) Visit(input, target);
                order.Add(s);
            }
            if (set.Add(target)) foreach (var input in s.Inputs.Values) Visit(input, target);
        }
        foreach (var (target, stage) in targets) Visit(stage, target);
        return order.Select(s => new PlannedStage(s, store.StatusOf(s), users[s.Key].ToArray())).ToList();
    }
}

/// <summary>One line of a plan: the stage, whether it is cached, and which targets (arms × seeds) use it.</summary>
public sealed record PlannedStage(IStage Stage, StageStatus Status, IReadOnlyList<string> UsedBy);
