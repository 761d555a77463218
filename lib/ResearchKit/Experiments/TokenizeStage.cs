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
        if (prefix is not null) RequirePrefixes(prefix, summary, context.Input(corpus).Path);
        context.Stats["documents"] = summary.Documents;
        context.Stats["tokens"] = summary.Tokens;
        context.Stats["prefix_tokens"] = summary.PrefixTokens;
        if (prefix is not null) context.Stats["prefixed_documents"] = summary.PrefixedDocuments;
    }

    /// <summary>A prefix spec that reached no document would make its arm standard pretraining under another name (the
    /// MeCo <c>topic</c> arm on a corpus without topic fields): refuse it; one that reached only some documents is said aloud.</summary>
    internal static void RequirePrefixes(PrefixSpec prefix, TokenizeSummary summary, string corpusPath)
    {
        if (summary.Documents == 0) return;
        var what = prefix is MeCo.MetadataSpec { Kind: MeCo.MetadataKind.Topic } topic
            ? $"topic metadata (keys {string.Join(", ", topic.TopicKeys)})" : $"the {SpecTypes.KindOf(prefix)} prefix";
        if (summary.PrefixedDocuments == 0)
            throw new ArgumentException($"{corpusPath}: no document has {what}, so every prefix is empty and this arm would silently be standard " +
                                        "pretraining; give the corpus that field (a meta column), map another one, or drop the arm");
        if (summary.PrefixedDocuments < summary.Documents)
            KitWarnings.Report($"{corpusPath}: only {summary.PrefixedDocuments:N0} of {summary.Documents:N0} documents " +
                               $"({100.0 * summary.PrefixedDocuments / summary.Documents:F1}%) have {what}; the others train without a prefix");
    }

    public override TokenDatasetArtifact Load(string directory) => new(System.IO.Path.Combine(directory, FileName));
}
