using ResearchKit.Corpus;
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
/// Writes ProX programs with a refining language model, as an <see cref="IProgramWriter"/> (so it plugs into
/// <see cref="ProxRefineTransform"/>): each user message (<see cref="ProxPrompts"/>) becomes a prompt
/// (<see cref="IRefiningPrompt"/>), the model decodes greedily (temperature 0, as the reference's vLLM call) until an
/// end token or the budget, and the decoded text, <c>.strip(" ")</c>ped, is the program. Document level: the user
/// message is the raw document. Chunk level: it is <c>"[doc]\n" + chunk + "\n[/doc]"</c>, one program per chunk (the
/// transform joins a document's chunk programs with "\n", the reference's merge_chunks). Chunks must be cut with the
/// model's own tokenizer: <see cref="CreateChunker"/>.
/// </summary>
public sealed class RefiningModelWriter : IProgramWriter
{
    readonly ICausalLm _model;
    readonly TextTokenizer _tokenizer;
    readonly IRefiningPrompt _prompt;
    readonly IReadOnlyCollection<int> _endTokens;

    /// <param name="name">Names the writer in statistics (e.g. "web-doc-refining-lm").</param>
    /// <param name="tokensAddedPerLine">What the chunker adds to each numbered line's token count (see
    /// <see cref="ProxChunker"/>): 1 for the released Llamas, whose reference counts include the BOS that
    /// <c>tokenizer.encode</c> adds to every line.</param>
    /// <param name="chunkTokens">Default chunk budget of <see cref="CreateChunker"/> (the reference: 1500).</param>
    public RefiningModelWriter(ICausalLm model, TextTokenizer tokenizer, IRefiningPrompt prompt, IReadOnlyCollection<int> endTokens, RefiningWriterOptions options,
                               string name = "refining-lm", int tokensAddedPerLine = 0, int chunkTokens = ProxChunker.ReferenceMaxTokens)
    {
        if (tokenizer.VocabSize > model.VocabSize)
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} ids, the model's vocabulary only {model.VocabSize}", nameof(tokenizer));
        if (chunkTokens < 1) throw new ArgumentOutOfRangeException(nameof(chunkTokens), "the chunk budget must be positive");
        _model = model;
        _tokenizer = tokenizer;
        _prompt = prompt;
        _endTokens = endTokens;
        Options = options;
        Name = name;
        TokensAddedPerLine = tokensAddedPerLine;
        ChunkTokens = chunkTokens;
    }

    /// <summary>gair-prox/web-doc-refining-lm's setting: chat prompt cut to 2000 tokens, up to 2000 new tokens,
    /// stopping at the config's eos_token_id.</summary>
    public static RefiningModelWriter ReleasedDocumentModel(LoadedLlama loaded, RefiningWriterOptions? options = null) =>
        Released(loaded, ChatRefiningPrompt.DocumentMaxTokens, options ?? RefiningWriterOptions.Document);

    /// <summary>gair-prox/web-chunk-refining-lm's setting: chat prompt (chunks are at most 1500 tokens, no cut), up to
    /// 256 new tokens per chunk; chunks counted with the model's tokenizer plus its BOS per line, as the reference.</summary>
    public static RefiningModelWriter ReleasedChunkModel(LoadedLlama loaded, RefiningWriterOptions? options = null) =>
        Released(loaded, null, options ?? RefiningWriterOptions.Chunk);

    static RefiningModelWriter Released(LoadedLlama loaded, int? maxPromptTokens, RefiningWriterOptions options)
    {
        var tokenizer = loaded.Tokenizer ?? throw new FileNotFoundException($"{loaded.Directory}: no {LlamaCheckpoint.TokenizerFile}; the refining models need their SentencePiece tokenizer", Path.Combine(loaded.Directory, LlamaCheckpoint.TokenizerFile));
        return new RefiningModelWriter(loaded.Model, tokenizer, new ChatRefiningPrompt(tokenizer, maxPromptTokens), loaded.Model.Config.EndTokenIds, options,
                                       name: Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(loaded.Directory))), tokensAddedPerLine: 1);
    }

    public string Name { get; }
    public RefiningWriterOptions Options { get; }
    public WriterTotals Totals { get; } = new();
    public int TokensAddedPerLine { get; }
    public int ChunkTokens { get; }

    /// <summary>The chunker whose chunks this model expects: its tokenizer, its per-line count, and
    /// <paramref name="maxTokens"/> (default <see cref="ChunkTokens"/>) per chunk.</summary>
    public ProxChunker CreateChunker(int? maxTokens = null) => new(_tokenizer, maxTokens ?? ChunkTokens, TokensAddedPerLine);

    /// <summary>One program per user message, in order.</summary>
    public IReadOnlyList<string> Complete(IReadOnlyList<string> userMessages, CancellationToken cancel = default)
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
            new GenerationOptions(Options.MaxNewTokens, _endTokens, Options.UseKvCache, Options.BatchSize), cancel: cancel);
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

    public IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default) =>
        Complete(documents.Select(d => ProxPrompts.DocumentUserMessage(d.Text)).ToList(), cancel: cancellationToken);

    /// <summary>All chunks of all documents are decoded together (in batches of <see cref="RefiningWriterOptions.BatchSize"/>).</summary>
    public IReadOnlyList<IReadOnlyList<string>> WriteChunkPrograms(IReadOnlyList<ChunkedDocument> documents, CancellationToken cancellationToken = default)
    {
        var programs = Complete(documents.SelectMany(d => d.Chunks.Select(ProxPrompts.ChunkUserMessage)).ToList(), cancel: cancellationToken);
        var perDocument = new IReadOnlyList<string>[documents.Count];
        int next = 0;
        for (int d = 0; d < perDocument.Length; d++)
        {
            int n = documents[d].Chunks.Count;
            perDocument[d] = Enumerable.Range(next, n).Select(i => programs[i]).ToArray();
            next += n;
        }
        return perDocument;
    }
}
