using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.Embeddings;

/// <summary>The embeddings a stage wrote: one row per document of its corpus, in corpus order (<see cref="EmbeddingMatrix"/>).</summary>
public sealed class EmbeddingArtifact(string path)
{
    public const string FileName = "embeddings.emb";
    EmbeddingMatrix? _matrix;

    public string Path => path;

    /// <summary>The matrix, read once.</summary>
    public EmbeddingMatrix Read() => _matrix ??= EmbeddingMatrix.Read(path);
}

/// <summary>
/// Embeds every document of a corpus with one sentence embedder: keyed by the embedder's config and model identity
/// and by the corpus stage's key, so the ICLM order, the cluster order and the in-context probe of every arm and seed
/// share one computation. Row i is document i of the corpus, which is document i of the token dataset made from it.
/// <para>Documented handling: a document with nothing to embed (empty, whitespace-only, or no word piece the model
/// knows: shorter than any embedder's minimum of one token) gets an all-zero row, counted as <c>empty_documents</c>;
/// the orders place such documents last and the probe never picks them. Documents longer than the embedder's limit
/// (MiniLM: 256 word pieces) are embedded from their start. A custom model whose output dimension differs from the
/// one its spec names is refused when it loads.</para>
/// </summary>
public sealed class EmbedStage : Stage<EmbeddingArtifact>
{
    readonly Stage<CorpusArtifact> corpus;
    readonly EmbedderSpec embedder;
    readonly Stage<CheckpointArtifact>? model;
    readonly string device;

    /// <param name="model">The checkpoint a <see cref="GptEmbedding"/> reads; null for the other embedders.</param>
    /// <param name="device">Where a GPT embedder runs (not part of the key).</param>
    public EmbedStage(Stage<CorpusArtifact> corpus, EmbedderSpec embedder, Stage<CheckpointArtifact>? model = null, string device = "cpu")
    {
        if (embedder.NeedsCheckpoint != (model is not null))
            throw new ArgumentException(embedder.NeedsCheckpoint
                ? $"the '{SpecTypes.KindOf(embedder)}' embedder reads a trained model: give the embed stage a model input"
                : $"the '{SpecTypes.KindOf(embedder)}' embedder has its own weights; the embed stage takes no model input");
        (this.corpus, this.embedder, this.model, this.device) = (corpus, embedder, model, device);
    }

    public EmbedderSpec Embedder => embedder;
    public Stage<CorpusArtifact> Corpus => corpus;
    public override string Name => "embed";
    public override object KeyConfig => new { Embedder = embedder, Model = embedder.ModelIdentity };

    public override IReadOnlyDictionary<string, IStage> Inputs
    {
        get
        {
            var inputs = new Dictionary<string, IStage> { ["corpus"] = corpus };
            if (model is not null) inputs["model"] = model;
            return inputs;
        }
    }

    public override string Describe() => $"{SpecTypes.KindOf(embedder)} sentence embeddings of every document";

    public override void Run(StageContext context)
    {
        var texts = context.Input(corpus).Read().Select(d => d.Text).ToArray();
        using var e = embedder.Create(model is null ? null : context.Input(model).CheckpointPath, device);
        var matrix = e.EmbedChecked(texts, context.Progress, context.Cancellation);
        matrix.Write(context.PathOf(EmbeddingArtifact.FileName));
        context.Stats["documents"] = matrix.Rows;
        context.Stats["dimension"] = matrix.Dimension;
        context.Stats["empty_documents"] = matrix.ZeroRowCount();
    }

    public override EmbeddingArtifact Load(string directory) => new(System.IO.Path.Combine(directory, EmbeddingArtifact.FileName));
}
