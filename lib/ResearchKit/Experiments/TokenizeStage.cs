using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.Experiments;

/// <summary>A token dataset written by a stage (a memory-mapped <see cref="TokenShard"/>), opened once and shared.</summary>
public sealed class TokenDatasetArtifact(string path) : IDisposable
{
    MappedTokenDataset? _dataset;

    public string Path => path;
    public MappedTokenDataset Dataset => _dataset ??= TokenShard.Open(path);
    public TextTokenizer CreateTokenizer() => Dataset.CreateTokenizer();
    public void Dispose() => _dataset?.Dispose();
}

/// <summary>Tokenizes a corpus into a token shard, one document per document (same order, so document indices match
/// the corpus), with an optional loss-masked prefix per document, tokenized on its own.</summary>
public sealed class TokenizeStage(Stage<CorpusArtifact> corpus, string tokenizer, PrefixSpec? prefix = null) : Stage<TokenDatasetArtifact>
{
    const string FileName = "tokens.rkt";

    public override string Name => "tokenize";
    public override object KeyConfig => new { Tokenizer = tokenizer, Prefix = prefix };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["corpus"] = corpus };
    public override string Describe() => $"{tokenizer}" + (prefix is null ? "" : $" with {SpecTypes.KindOf(prefix)} prefixes");

    public override void Run(StageContext context)
    {
        var documents = context.Input(corpus).Read();
        var summary = TokenShard.Tokenize(documents, TextTokenizers.Create(tokenizer), context.PathOf(FileName), prefix is null ? null : prefix.For, context.Progress);
        context.Stats["documents"] = summary.Documents;
        context.Stats["tokens"] = summary.Tokens;
        context.Stats["prefix_tokens"] = summary.PrefixTokens;
    }

    public override TokenDatasetArtifact Load(string directory) => new(System.IO.Path.Combine(directory, FileName));
}
