namespace ResearchKit.Pipeline;

/// <summary>
/// A named step of an experiment DAG whose output (an artifact: a folder of files) is cached under a key derived from
/// what determines it: the stage's kind and schema version, its config, its inputs' keys and the content fingerprint
/// of the raw corpora it reads. Two arms or ablations that need the same stage compute it once.
/// </summary>
public interface IStage
{
    /// <summary>The stage's kind, e.g. "tokenize" or "train": file-safe; names its folder.</summary>
    string Name { get; }

    /// <summary>Bumped when the stage's code changes what it writes, so old artifacts are not reused.</summary>
    int SchemaVersion { get; }

    /// <summary>What identifies the output besides the inputs (hashed canonically; <see cref="NotHashedAttribute"/>
    /// properties left out). Paths of raw inputs belong in <see cref="Corpora"/>, not here.</summary>
    object KeyConfig { get; }

    /// <summary>The stages whose artifacts this one reads, by role (e.g. "tokens", "reference").</summary>
    IReadOnlyDictionary<string, IStage> Inputs { get; }

    /// <summary>Raw inputs read from outside the store; their content (not their path) enters the key.</summary>
    IReadOnlyList<string> Corpora { get; }

    /// <summary>Whether an interrupted run may continue from what it left in its working folder (training with
    /// checkpoints); otherwise the folder is cleared and the stage recomputed.</summary>
    bool Resumable { get; }

    /// <summary>A short description for plans and progress, e.g. "train 0.8M-parameter GPT, 300 steps".</summary>
    string Describe();

    /// <summary>Writes the artifact's files into <see cref="StageContext.Directory"/>.</summary>
    void Run(StageContext context);

    /// <summary>The cache key (hex SHA-256), computed once.</summary>
    string Key { get; }

    /// <summary>Opens the artifact of a finished run from its folder (<see cref="Stage{TArtifact}.Load"/>).</summary>
    object LoadArtifact(string directory);
}

/// <summary>A stage whose artifact can be loaded as a <typeparamref name="TArtifact"/> from its folder.</summary>
public abstract class Stage<TArtifact> : IStage
{
    string? _key;

    public abstract string Name { get; }
    public virtual int SchemaVersion => 1;
    public abstract object KeyConfig { get; }
    public virtual IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage>();
    public virtual IReadOnlyList<string> Corpora => [];
    public virtual bool Resumable => false;
    public virtual string Describe() => Name;
    public abstract void Run(StageContext context);

    /// <summary>Opens the artifact a finished run of this stage left in <paramref name="directory"/>.</summary>
    public abstract TArtifact Load(string directory);

    public string Key => _key ??= StageKey.Of(this);

    object IStage.LoadArtifact(string directory) => Load(directory)!;

    public override string ToString() => $"{Name}-{Key[..16]}";
}
