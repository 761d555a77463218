using ResearchKit.Models;
using ResearchKit.Tokenization;

namespace ResearchKit.ProX.Refining;

/// <param name="MaxNewTokens">Most tokens per program (the reference: 2000 per document, 256 per chunk).</param>
/// <param name="BatchSize">Prompts decoded together.</param>
/// <param name="UseKvCache">False recomputes the prefix every step (slow; for checking the cache).</param>
public sealed record RefiningWriterOptions(int MaxNewTokens, int BatchSize = 8, bool UseKvCache = true)
{
    /// <summary>The reference's document level: max 2000 new tokens.</summary>
    public static RefiningWriterOptions Document { get; } = new(2000);
    /// <summary>The reference's chunk level: max 256 new tokens per chunk.</summary>
    public static RefiningWriterOptions Chunk { get; } = new(256);
}

/// <summary>Counts over every call of a writer: prompts, how many were cut to fit, how many programs ran out of
/// budget or context before an end token, and tokens in and out.</summary>
public sealed class WriterTotals
{
    public int Prompts { get; internal set; }
    public int PromptsTruncated { get; internal set; }
    public int StoppedAtBudget { get; internal set; }
    public int StoppedAtContext { get; internal set; }
    public long PromptTokens { get; internal set; }
    public long GeneratedTokens { get; internal set; }
}

/// <summary>
/// Writes ProX programs with a refining language model: each user message becomes a prompt
/// (<see cref="IRefiningPrompt"/>), the model decodes greedily (temperature 0, as the reference's vLLM call) until an
/// end token or the budget, and the decoded text, <c>.strip(" ")</c>ped, is the program. Document level: the user
/// message is the raw document. Chunk level: it is <c>"[doc]\n" + chunk + "\n[/doc]"</c> and a document's chunk
/// programs are joined with "\n".
/// </summary>
public sealed class RefiningModelWriter : IDocumentProgramWriter, IChunkProgramWriter
{
    readonly ICausalLm _model;
    readonly TextTokenizer _tokenizer;
    readonly IRefiningPrompt _prompt;
    readonly IReadOnlyCollection<int> _endTokens;

    public RefiningModelWriter(ICausalLm model, TextTokenizer tokenizer, IRefiningPrompt prompt, IReadOnlyCollection<int> endTokens, RefiningWriterOptions options)
    {
        if (tokenizer.VocabSize > model.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} ids, the model's vocabulary only {model.VocabSize}", nameof(tokenizer));
        _model = model;
        _tokenizer = tokenizer;
        _prompt = prompt;
        _endTokens = endTokens;
        Options = options;
    }

    /// <summary>gair-prox/web-doc-refining-lm's setting: chat prompt cut to 2000 tokens, up to 2000 new tokens,
    /// stopping at the config's eos_token_id.</summary>
    public static RefiningModelWriter ReleasedDocumentModel(LoadedLlama loaded, RefiningWriterOptions? options = null) =>
        Released(loaded, ChatRefiningPrompt.DocumentMaxTokens, options ?? RefiningWriterOptions.Document);

    /// <summary>gair-prox/web-chunk-refining-lm's setting: chat prompt (chunks are at most 1500 tokens, no cut), up to
    /// 256 new tokens per chunk.</summary>
    public static RefiningModelWriter ReleasedChunkModel(LoadedLlama loaded, RefiningWriterOptions? options = null) =>
        Released(loaded, null, options ?? RefiningWriterOptions.Chunk);

    static RefiningModelWriter Released(LoadedLlama loaded, int? maxPromptTokens, RefiningWriterOptions options)
    {
        var tokenizer = loaded.Tokenizer ?? throw new FileNotFoundException($"{loaded.Directory}: no {LlamaCheckpoint.TokenizerFile}; the refining models need their SentencePiece tokenizer", Path.Combine(loaded.Directory, LlamaCheckpoint.TokenizerFile));
        return new RefiningModelWriter(loaded.Model, tokenizer, new ChatRefiningPrompt(tokenizer, maxPromptTokens), loaded.Model.Config.EndTokenIds, options);
    }

    public RefiningWriterOptions Options { get; }
    public WriterTotals Totals { get; } = new();

    /// <summary>The chunk-level user message.</summary>
    public static string ChunkMessage(string chunk) => "[doc]\n" + chunk + "\n[/doc]";

    /// <summary>One program per user message, in order.</summary>
    public IReadOnlyList<string> Complete(IReadOnlyList<string> userMessages, IProgress<WorkProgress>? progress = null, CancellationToken cancel = default)
    {
        var prompts = new int[userMessages.Count][];
        for (int i = 0; i < prompts.Length; i++)
        {
            var encoded = _prompt.Encode(userMessages[i]);
            var ids = encoded.Ids;
            bool cut = encoded.Truncated;
            if (ids.Length >= _model.ContextLength) { ids = ids[..(_model.ContextLength - 1)]; cut = true; } // room for one new token at least
            if (ids.Length == 0) throw new InvalidOperationException($"the prompt of message {i} has no tokens");
            prompts[i] = ids;
            Totals.PromptsTruncated += cut ? 1 : 0;
            Totals.PromptTokens += ids.Length;
        }
        Totals.Prompts += prompts.Length;
        var generations = GreedyDecoding.Generate(_model, prompts,
            new GenerationOptions(Options.MaxNewTokens, _endTokens, Options.UseKvCache, Options.BatchSize), progress, cancel);
        var programs = new string[generations.Count];
        for (int i = 0; i < programs.Length; i++)
        {
            var g = generations[i];
            Totals.GeneratedTokens += g.Tokens.Length + (g.Stop == StopReason.EndToken ? 1 : 0);
            Totals.StoppedAtBudget += g.Stop == StopReason.MaxNewTokens ? 1 : 0;
            Totals.StoppedAtContext += g.Stop == StopReason.Context ? 1 : 0;
            programs[i] = _tokenizer.Decode(g.Tokens).Trim(' ');
        }
        return programs;
    }

    public IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<string> documents, IProgress<WorkProgress>? progress = null, CancellationToken cancel = default) =>
        Complete(documents, progress, cancel);

    public IReadOnlyList<string> WriteChunkPrograms(IReadOnlyList<IReadOnlyList<string>> chunksPerDocument, IProgress<WorkProgress>? progress = null, CancellationToken cancel = default)
    {
        var messages = chunksPerDocument.SelectMany(chunks => chunks.Select(ChunkMessage)).ToList();
        var programs = Complete(messages, progress, cancel);
        var merged = new string[chunksPerDocument.Count];
        int next = 0;
        for (int d = 0; d < merged.Length; d++)
        {
            int n = chunksPerDocument[d].Count;
            merged[d] = string.Join("\n", programs.Skip(next).Take(n));
            next += n;
        }
        return merged;
    }
}
