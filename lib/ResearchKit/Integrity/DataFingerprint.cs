using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ResearchKit.Tokenization;

namespace ResearchKit.Integrity;

/// <summary>
/// What a training run read, by content: an XXH3-128 of the dataset's logical token stream (vocabulary, end-of-text,
/// domain names, then per document its domain, prefix and body), the same whether the tokens sit in memory or in a
/// shard of any format version; and of the document order when one was given. A checkpoint stores it, so a resume on
/// other data (another shard, another split) is refused instead of silently continuing on it.
/// </summary>
/// <param name="Tokens">Hex XXH3-128 of the token stream.</param>
/// <param name="Order">Hex XXH3-128 of the document order; null = every document in dataset order.</param>
public sealed record DataFingerprint(string Tokens, int Documents, long TokenCount, string? Order)
{
    static readonly ConditionalWeakTable<ITokenDataset, string> Cache = new();

    /// <summary>The fingerprint of <paramref name="data"/> (computed once per dataset object, at memory speed) and of <paramref name="order"/>.</summary>
    public static DataFingerprint Of(ITokenDataset data, IReadOnlyList<int>? order = null)
    {
        var tokens = Cache.GetValue(data, Hash);
        long count = 0;
        for (int d = 0; d < data.DocumentCount; d++) count += data.PrefixLength(d) + data.BodyLength(d);
        string? orderHash = null;
        if (order is not null)
        {
            var h = new XxHash128();
            h.Append(MemoryMarshal.AsBytes((order as int[] ?? order.ToArray()).AsSpan()));
            orderHash = Convert.ToHexStringLower(h.GetCurrentHash());
        }
        return new DataFingerprint(tokens, data.DocumentCount, count, orderHash);
    }

    static string Hash(ITokenDataset data)
    {
        var h = new XxHash128();
        Span<int> numbers = stackalloc int[3];
        numbers[0] = data.VocabSize; numbers[1] = data.EndOfText; numbers[2] = data.Domains.Count;
        h.Append(MemoryMarshal.AsBytes(numbers));
        foreach (var name in data.Domains) { h.Append(Encoding.UTF8.GetBytes(name)); h.Append([0]); }
        for (int d = 0; d < data.DocumentCount; d++)
        {
            var prefix = data.Prefix(d);
            var body = data.Body(d);
            numbers[0] = data.DomainOf(d); numbers[1] = prefix.Length; numbers[2] = body.Length;
            h.Append(MemoryMarshal.AsBytes(numbers));
            h.Append(MemoryMarshal.AsBytes(prefix));
            h.Append(MemoryMarshal.AsBytes(body));
        }
        return Convert.ToHexStringLower(h.GetCurrentHash());
    }

    /// <summary>How this fingerprint differs from <paramref name="other"/>, in words; empty when equal.</summary>
    public IReadOnlyList<string> Differences(DataFingerprint other)
    {
        var list = new List<string>();
        if (Tokens != other.Tokens)
            list.Add($"data: the checkpoint was trained on {Documents:N0} documents / {TokenCount:N0} tokens (fingerprint {Tokens[..12]}), " +
                     $"this run reads {other.Documents:N0} documents / {other.TokenCount:N0} tokens (fingerprint {other.Tokens[..12]})");
        if (Order != other.Order)
            list.Add($"document order: {Order?[..12] ?? "none (dataset order)"} -> {other.Order?[..12] ?? "none (dataset order)"}");
        return list;
    }
}
