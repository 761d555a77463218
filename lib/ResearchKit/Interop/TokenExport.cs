using ResearchKit.Tokenization;

namespace ResearchKit.Interop;

/// <summary>What goes into an exported token stream besides each document's body.</summary>
/// <param name="IncludePrefixes">Also write each document's loss-masked prefix (MeCo metadata) in front of its body.
/// These formats carry no loss mask, so a trainer reading them would train on the prefix tokens: off by default.</param>
/// <param name="EndOfText">Separate documents with the tokenizer's end-of-text id, where the format's reference
/// pipeline puts it (Megatron: after each document; llm.c: before each; nanoGPT: after each).</param>
public sealed record TokenExportOptions(bool IncludePrefixes = false, bool EndOfText = true);

/// <summary>What an export wrote: the files, documents, tokens (separators included) and the token width in bytes.</summary>
public sealed record TokenExportSummary(IReadOnlyList<string> Files, long Documents, long Tokens, int TokenBytes);

static class TokenExport
{
    /// <summary>The tokens of document <paramref name="d"/> as the options say (prefix, body; no separator).</summary>
    public static ReadOnlySpan<int> Content(ITokenDataset data, int d, TokenExportOptions options, List<int> scratch)
    {
        if (!options.IncludePrefixes || data.Prefix(d).IsEmpty) return data.Body(d);
        scratch.Clear();
        foreach (var t in data.Prefix(d)) scratch.Add(t);
        foreach (var t in data.Body(d)) scratch.Add(t);
        return System.Runtime.InteropServices.CollectionsMarshal.AsSpan(scratch);
    }
}
