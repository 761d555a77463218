using ResearchKit.Tokenization;

namespace ResearchKit.DoReMi;

/// <summary>The domains of a training token dataset as DoReMi sees them: how many tokens each puts into the window
/// stream, and the check that every domain it weights has some.</summary>
public static class TrainingDomains
{
    /// <summary>Per domain (in <see cref="ITokenDataset.Domains"/> order), the tokens its documents put into the stream:
    /// body tokens plus the end-of-text token after each non-empty document (what natural sampling draws in proportion to).</summary>
    public static long[] StreamTokens(ITokenDataset data)
    {
        var tokens = new long[data.Domains.Count];
        for (int d = 0; d < data.DocumentCount; d++)
        {
            int length = data.Body(d).Length;
            if (length > 0) tokens[data.DomainOf(d)] += length + 1;
        }
        return tokens;
    }

    /// <summary>Throws, naming <paramref name="file"/> and the domain, when a domain that must be sampled has no
    /// training tokens. <paramref name="needed"/>: which domains must have tokens (null = all).</summary>
    public static void RequireTokens(ITokenDataset data, string file, IReadOnlyList<double>? needed = null, string field = "domain")
    {
        var tokens = StreamTokens(data);
        for (int d = 0; d < tokens.Length; d++)
            if (tokens[d] == 0 && (needed is null || needed[d] > 0))
                throw new DataFormatException(file, null, needed is null ? $"{field} '{data.Domains[d]}'" : $"{field}.{data.Domains[d]}",
                    $"domain '{data.Domains[d]}' has no training tokens (its training documents are all empty), " +
                    (needed is null ? "so DoReMi can neither sample nor weight it: remove it from the corpus or give it documents"
                                    : $"but weight {needed[d]}: give it weight 0 or documents"));
    }
}
