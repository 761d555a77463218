using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Embeddings;

/// <summary>
/// Document embeddings from the kit's own trained GPT: the mean of the final hidden states (after the last layer norm)
/// over the document's tokens, truncated to the model's context. Runs on the model's device; batches are right-padded,
/// which causal attention makes harmless. Not normalized (cosine kNN normalizes).
/// </summary>
public sealed class GptEmbedder : BatchedEmbedder
{
    readonly Gpt model;
    readonly TextTokenizer tokenizer;
    readonly int maxTokens;
    readonly bool ownsModel;
    readonly Device device;

    public override string Name { get; }
    public override int Dimension => model.Config.DModel;

    /// <param name="label">identifies the weights (e.g. the checkpoint) in <see cref="Name"/>, so caches of two
    /// checkpoints are never mixed up.</param>
    /// <param name="maxTokens">tokens per document (default and maximum: the model's context).</param>
    public GptEmbedder(Gpt model, TextTokenizer tokenizer, string label, int? maxTokens = null, bool ownsModel = false)
    {
        if (tokenizer.VocabSize > model.Config.VocabSize)
            throw new ArgumentException($"tokenizer '{tokenizer.Name}' has {tokenizer.VocabSize} ids; the model's embedding holds {model.Config.VocabSize}");
        this.model = model; this.tokenizer = tokenizer; this.ownsModel = ownsModel;
        this.maxTokens = maxTokens ?? model.Config.Context;
        if (this.maxTokens <= 0 || this.maxTokens > model.Config.Context)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, $"must be in 1..{model.Config.Context} (the model's context)");
        device = model.parameters().First().device;
        Name = $"gpt-mean {label} d{model.Config.DModel} L{model.Config.Layers} {tokenizer.Name} max{this.maxTokens}";
        BatchSize = 16;
    }

    /// <summary>Loads a checkpoint written by the trainer.</summary>
    /// <param name="device">cpu, cuda, cuda:N or auto.</param>
    public static GptEmbedder FromCheckpoint(string checkpointPath, TextTokenizer tokenizer, string device = "cpu", int? maxTokens = null)
    {
        if (!File.Exists(checkpointPath)) throw new FileNotFoundException($"{checkpointPath}: no such checkpoint", checkpointPath);
        var runtime = TorchRuntime.Initialize(device);
        var model = Checkpoint.LoadModel(checkpointPath, runtime.TorchDevice);
        var info = new FileInfo(checkpointPath);
        return new GptEmbedder(model, tokenizer, $"{info.Name}@{info.Length}:{info.LastWriteTimeUtc.Ticks}", maxTokens, ownsModel: true);
    }

    protected override int[] Tokenize(string text)
    {
        var ids = tokenizer.Encode(text);
        return ids.Length > maxTokens ? ids[..maxTokens] : ids;
    }

    protected override void EmbedBatch(IReadOnlyList<int[]> ids, Span<float> output, CancellationToken cancellation)
    {
        int b = ids.Count, length = ids.Max(x => x.Length), d = Dimension;
        var tokens = new long[b * length];
        var mask = new float[b * length];
        for (int r = 0; r < b; r++)
            for (int t = 0; t < ids[r].Length; t++) { tokens[r * length + t] = ids[r][t]; mask[r * length + t] = 1; }
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var input = torch.tensor(tokens, [b, length], ScalarType.Int64).to(device);
        var weights = torch.tensor(mask, [b, length, 1]).to(device);
        var hidden = model.Hidden(input).to_type(ScalarType.Float32);   // causal: right-padding leaves earlier rows unchanged
        var mean = (hidden * weights).sum(1) / weights.sum(1);
        var values = mean.to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        values.CopyTo(output);
    }

    public override void Dispose()
    {
        if (ownsModel) model.Dispose();
        base.Dispose();
    }
}
