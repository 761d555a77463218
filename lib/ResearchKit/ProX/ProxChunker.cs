using System.Globalization;
using ResearchKit.Tokenization;

namespace ResearchKit.ProX;

/// <summary>
/// Splits a document into chunks for chunk-level programs, as the reference's <c>trunc_text</c>: the text is split on
/// '\n'; line j becomes <c>[{j:03d}]line</c> (0-based, document-global, no space after ']', 4+ digits from line 1000);
/// lines are added to the current chunk while its token count stays within <see cref="MaxTokens"/>; a line that does
/// not fit starts a new chunk, and a line longer than the budget on its own is a chunk by itself (never truncated).
/// Token counts are those of each numbered line, measured with the refining model's tokenizer, plus
/// <see cref="TokensAddedPerLine"/> (1 for a Llama tokenizer whose <c>encode</c> adds BOS to every line, as the
/// reference's does). An empty text has no chunks.
/// </summary>
public sealed class ProxChunker(TextTokenizer tokenizer, int maxTokens = ProxChunker.ReferenceMaxTokens, int tokensAddedPerLine = 0)
{
    /// <summary>The reference's budget (trunc_text's max_token).</summary>
    public const int ReferenceMaxTokens = 1500;

    public TextTokenizer Tokenizer { get; } = tokenizer ?? throw new ArgumentNullException(nameof(tokenizer));
    public int MaxTokens { get; } = maxTokens > 0 ? maxTokens : throw new ArgumentOutOfRangeException(nameof(maxTokens), "the token budget must be positive");
    public int TokensAddedPerLine { get; } = tokensAddedPerLine;

    /// <summary>"[000]", "[042]", "[1000]".</summary>
    public static string LinePrefix(int line) => string.Create(CultureInfo.InvariantCulture, $"[{line:D3}]");

    public IReadOnlyList<ProxChunk> Chunk(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chunks = new List<ProxChunk>();
        if (text.Length == 0) return chunks;
        var lines = text.Split('\n');
        var current = new List<string>();
        int first = 0, tokens = 0;
        void Flush(int last)
        {
            chunks.Add(new ProxChunk(first, last, string.Join('\n', current), tokens));
            current.Clear();
            tokens = 0;
        }
        for (int j = 0; j < lines.Length; j++)
        {
            string numbered = LinePrefix(j) + lines[j];
            int count = Tokenizer.Encode(numbered).Length + TokensAddedPerLine;
            if (tokens + count <= MaxTokens)
            {
                if (current.Count == 0) first = j;
                current.Add(numbered);
                tokens += count;
                continue;
            }
            if (current.Count > 0) Flush(j - 1);
            first = j;
            current.Add(numbered);
            tokens = count;
            if (count > MaxTokens) Flush(j);
        }
        if (current.Count > 0) Flush(lines.Length - 1);
        return chunks;
    }

    /// <summary>One document program from its chunks' programs, as the reference's <c>merge_chunks</c>: each
    /// stripped of spaces at both ends, joined with '\n'.</summary>
    public static string MergePrograms(IEnumerable<string> chunkPrograms) => string.Join('\n', chunkPrograms.Select(p => p.Trim(' ')));
}
