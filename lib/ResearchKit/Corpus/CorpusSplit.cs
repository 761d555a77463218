namespace ResearchKit.Corpus;

/// <summary>
/// A deterministic train/validation split: a document is in validation when a seeded hash of its id falls below
/// <see cref="ValidationFraction"/>. The same id lands on the same side in every run, on every platform, whatever
/// order or subset of the corpus is read.
/// </summary>
public sealed record CorpusSplit(double ValidationFraction, long Seed = 0)
{
    public double ValidationFraction { get; } = ValidationFraction is >= 0 and <= 1
        ? ValidationFraction : throw new ArgumentOutOfRangeException(nameof(ValidationFraction), "must be within [0, 1]");

    public bool IsValidation(Document doc) => StableHash.Unit(doc.Id, Seed) < ValidationFraction;
    public IEnumerable<Document> Train(IEnumerable<Document> docs) => docs.Where(d => !IsValidation(d));
    public IEnumerable<Document> Validation(IEnumerable<Document> docs) => docs.Where(IsValidation);
}
