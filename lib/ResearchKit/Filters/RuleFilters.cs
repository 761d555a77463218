using ResearchKit.Pipeline;

namespace ResearchKit.Filters;

/// <summary>The rule baselines ProX compares against, by name, with datatrove's default thresholds.</summary>
public static class RuleFilters
{
    public static IReadOnlyList<string> Names { get; } = ["gopher-quality", "gopher-repetition", "c4-quality", "fineweb-quality"];

    public static IDocumentTransform Create(string name) => name switch
    {
        "gopher-quality" => new GopherQualityFilter(),
        "gopher-repetition" => new GopherRepetitionFilter(),
        "c4-quality" => new C4QualityFilter(),
        "fineweb-quality" => new FineWebQualityFilter(),
        _ => throw new ArgumentException($"unknown rule filter '{name}' (known: {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>The filters in <see cref="Names"/> order (Gopher, then C4, then FineWeb: the paper's "all rules").</summary>
    public static DocumentPipeline All() => new(Names.Select(Create).ToList());
}
