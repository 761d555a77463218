using ResearchKit.Corpus;

namespace ResearchKit.Tokenization;

/// <summary>
/// Training and validation tokens from one corpus: documents split by hashing their ids (<see cref="CorpusSplit"/>,
/// stable whatever the file order), each side tokenized in memory. What <c>rk train</c> and the quickstart use on a
/// corpus that fits in memory, such as data-samples.
/// </summary>
public sealed record TokenSplit(InMemoryTokenDataset Train, InMemoryTokenDataset Validation)
{
    /// <param name="corpus">Where the documents come from, for error messages (e.g. duplicate ids, which the split refuses).</param>
    public static TokenSplit FromDocuments(IEnumerable<Document> documents, TextTokenizer tokenizer, double validationFraction = 0.1, long splitSeed = 0,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default, string? corpus = null)
    {
        var split = new CorpusSplit(validationFraction, splitSeed);
        var all = documents.ToList();
        DocumentIds.RequireUnique(all, corpus ?? "the corpus");
        var train = split.Train(all).ToList();
        var validation = split.Validation(all).ToList();
        if (train.Count == 0 || validation.Count == 0)
            throw new ArgumentException($"a validation fraction of {validationFraction} splits {all.Count} documents into {train.Count} for training and " +
                                        $"{validation.Count} for validation; both must be non-empty", nameof(validationFraction));
        return new(InMemoryTokenDataset.Tokenize(train, tokenizer, progress: progress, cancellationToken: cancellationToken),
                   InMemoryTokenDataset.Tokenize(validation, tokenizer, progress: progress, cancellationToken: cancellationToken));
    }
}
