namespace ResearchKit.ProX;

/// <summary>How programs are read and when a refined document is dropped or kept as it was. The defaults are the
/// reference's (threshold_2 = 0.95, error_op = 2, the ≤ 10-word rule).</summary>
public sealed record ProxOptions
{
    public ProxDialect Dialect { get; init; } = ProxDialect.Strict;

    /// <summary>The reference's threshold_2: a document whose edits keep at most 1 − this fraction of its words
    /// (whitespace-separated) is dropped, computed as the reference does (1 − 0.95 = 0.050000000000000044, so exactly
    /// 5 % kept drops).</summary>
    public double DropRemovedWordFraction { get; init; } = 0.95;

    /// <summary>A document left with this many words or fewer is dropped.</summary>
    public int MinWords { get; init; } = 10;

    /// <summary>A program with at least this many errors is ignored and the original text kept (the reference's
    /// error_op).</summary>
    public int ErrorsToKeepOriginal { get; init; } = 2;

    public ProgramLimits Limits { get; init; } = ProgramLimits.Default;

    public static ProxOptions Default { get; } = new();
    public static ProxOptions Reference { get; } = new() { Dialect = ProxDialect.Reference };
}
