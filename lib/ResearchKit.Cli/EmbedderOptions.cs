using System.CommandLine;
using ResearchKit.Embeddings;

namespace ResearchKit.Cli;

/// <summary>Options of every command that embeds texts: which embedder, and the files it reads.</summary>
sealed class EmbedderOptions
{
    readonly Option<string> _embedder = new("--embedder") { Description = "minilm (all-MiniLM-L6-v2, default), onnx (--model, --vocab) or gpt (--checkpoint, --tokenizer)", DefaultValueFactory = _ => "minilm" };
    readonly Option<string?> _model = new("--model") { Description = "ONNX sentence model (--embedder onnx)" };
    readonly Option<string?> _vocab = new("--vocab") { Description = "its vocab.txt (--embedder onnx)" };
    readonly Option<string?> _checkpoint = new("--checkpoint") { Description = "a trained GPT checkpoint (--embedder gpt)" };
    readonly Option<string> _tokenizer = new("--tokenizer") { Description = "the GPT's tokenizer (--embedder gpt)", DefaultValueFactory = _ => "bytes" };

    public void AddTo(Command c) { foreach (var o in new Option[] { _embedder, _model, _vocab, _checkpoint, _tokenizer }) c.Options.Add(o); }

    /// <summary>The chosen embedder and the checkpoint it reads (refused when it needs one and none is given).</summary>
    /// <param name="maxTokens">tokens per document; null = the embedder's default.</param>
    /// <param name="dimension">the dimension an ONNX model must produce; null = any.</param>
    public (EmbedderSpec Spec, string? Checkpoint) Get(ParseResult p, int? maxTokens = null, int? dimension = null)
    {
        EmbedderSpec spec = p.GetValue(_embedder) switch
        {
            "minilm" => new MiniLMEmbedding(maxTokens ?? OnnxSentenceEmbedder.MiniLMMaxTokens),
            "onnx" => new OnnxEmbedding
            {
                ModelPath = p.GetValue(_model) ?? throw new ArgumentException("--embedder onnx needs --model"),
                VocabPath = p.GetValue(_vocab) ?? throw new ArgumentException("--embedder onnx needs --vocab"),
                Dimension = dimension,
                MaxTokens = maxTokens ?? 512,
            },
            "gpt" => new GptEmbedding(p.GetValue(_tokenizer)!, maxTokens),
            var other => throw new ArgumentException($"--embedder {other}: expected minilm, onnx or gpt"),
        };
        var checkpoint = p.GetValue(_checkpoint);
        if (spec.NeedsCheckpoint && checkpoint is null) throw new ArgumentException("--embedder gpt needs --checkpoint");
        return (spec, checkpoint);
    }
}
