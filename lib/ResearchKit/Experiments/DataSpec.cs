using ResearchKit.Corpus;

namespace ResearchKit.Experiments;

/// <summary>Where an experiment's documents come from and how they are split. The corpus is identified by its content
/// (<see cref="Pipeline.ContentFingerprint"/>), not its path, so the same file reached from a notebook or from the
/// repository root shares cached stages.</summary>
public sealed record DataSpec
{
    /// <summary>Corpus file, directory or glob (<see cref="CorpusReader"/>).</summary>
    [NotHashed] public required string Corpus { get; init; }
    /// <summary>Input columns; null = the kit's native layout.</summary>
    public ColumnMapping? Mapping { get; init; }
    /// <summary>Seeded stratified sample of this many documents before the split; null = the whole corpus.</summary>
    public int? MaxDocuments { get; init; }
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Seed of the split by document id. It must differ from <see cref="SampleSeed"/>: both hash the id, and
    /// equal seeds would make the sample all-validation.</summary>
    public long SplitSeed { get; init; }
    /// <summary>Seed of every document sample (<see cref="MaxDocuments"/>, evaluation samples).</summary>
    public long SampleSeed { get; init; } = 1;

    internal void Validate()
    {
        if (SplitSeed == SampleSeed)
            throw new ArgumentException($"SplitSeed and SampleSeed are both {SplitSeed}; equal seeds correlate the sample with the split");
        if (ValidationFraction is <= 0 or >= 1 || double.IsNaN(ValidationFraction))
            throw new ArgumentOutOfRangeException(nameof(ValidationFraction), ValidationFraction, "the validation fraction lies strictly between 0 and 1");
    }
}

/// <summary>Which side of the split.</summary>
public enum CorpusPart { Train, Validation }

/// <summary>How a validation set is sampled and scored.</summary>
/// <param name="Documents">Seeded stratified sample of validation documents (every domain represented); null = all.</param>
/// <param name="MaxChars">Score only the first this-many characters of each document; null = whole documents.</param>
/// <param name="MaxTokens">Score at most this many window tokens; null = all (stated in the results).</param>
public sealed record EvalSpec(int BatchSize = 16, int? Documents = null, int? MaxChars = null, long? MaxTokens = null);
