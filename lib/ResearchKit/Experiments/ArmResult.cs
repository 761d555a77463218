using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>One point of a training curve, e.g. ("train_loss", 200, 3.41).</summary>
public readonly record struct CurvePoint(string Metric, long Step, double Value);

/// <summary>
/// What one arm produced: scalar metrics (one column each in results.parquet), curves (curves.parquet) and optional
/// named tables (e.g. "domain_loss", "conditional_loss"), each saved as <c>&lt;name&gt;.parquet</c> with an <c>arm</c> column added.
/// </summary>
public sealed record ArmResult(IReadOnlyDictionary<string, double> Metrics)
{
    public IReadOnlyList<CurvePoint> Curves { get; init; } = [];
    public IReadOnlyDictionary<string, DataFrame> Tables { get; init; } = new Dictionary<string, DataFrame>();
}
