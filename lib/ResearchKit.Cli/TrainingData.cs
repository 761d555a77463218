using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Cli;

/// <summary>
/// Where <c>rk train</c> gets its tokens: a token shard written by <c>rk tokenize</c> (memory-mapped; validation from
/// <c>--validation</c>, another shard), or a corpus (Parquet / JSONL / JSONL.zst file, directory or glob) that is split
/// by document id and tokenized in memory.
/// </summary>
sealed class TrainingData(ITokenDataset train, ITokenDataset? validation) : IDisposable
{
    public ITokenDataset Train { get; } = train;
    public ITokenDataset? Validation { get; } = validation;

    public static TrainingData Load(string path, string? validationPath, string tokenizer, double validationFraction, ColumnMapping mapping,
        IProgress<WorkProgress>? progress)
    {
        if (TokenShard.IsShard(path))
            return new(TokenShard.Open(path), validationPath is null ? null : TokenShard.Open(validationPath));
        if (validationPath is not null)
            throw new ArgumentException($"--validation takes a token shard and goes with a token shard in --data; {path} is a corpus, split by --validation-fraction");
        var split = TokenSplit.FromDocuments(CorpusReader.Read(path, mapping), TextTokenizers.Create(tokenizer), validationFraction, progress: progress, corpus: path);
        return new(split.Train, split.Validation);
    }

    public void Dispose()
    {
        (Train as IDisposable)?.Dispose();
        (Validation as IDisposable)?.Dispose();
    }
}
