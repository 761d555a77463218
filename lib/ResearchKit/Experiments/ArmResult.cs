using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>One point of a training curve, e.g. ("train_loss", 200, 3.41).</summary>
public readonly record struct CurvePoint(string Metric, long Step, double Value);

/// <summary>
/// What one arm (one seed) produced: scalar metrics (one column each in results.parquet), curves (curves.parquet) and
/// optional named tables (e.g. "domain_loss", "conditional_loss"), each saved as <c>&lt;name&gt;.parquet</c>.
/// </summary>
public sealed record ArmResult(IReadOnlyDictionary<string, double> Metrics)
{
    public IReadOnlyList<CurvePoint> Curves { get; init; } = [];
    public IReadOnlyDictionary<string, DataFrame> Tables { get; init; } = new Dictionary<string, DataFrame>();

    /// <summary>The parts' metrics, curves and tables together; a name two parts both give is an error.</summary>
    public static ArmResult Combine(IEnumerable<ArmResult> parts)
    {
        var metrics = new Dictionary<string, double>();
        var curves = new List<CurvePoint>();
        var tables = new Dictionary<string, DataFrame>();
        foreach (var p in parts)
        {
            foreach (var (k, v) in p.Metrics)
                if (!metrics.TryAdd(k, v)) throw new InvalidOperationException($"two stages of one arm report the metric '{k}'");
            curves.AddRange(p.Curves);
            foreach (var (k, v) in p.Tables)
                if (!tables.TryAdd(k, v)) throw new InvalidOperationException($"two stages of one arm report the table '{k}'");
        }
        return new ArmResult(metrics) { Curves = curves, Tables = tables };
    }
}

/// <summary>An artifact that contributes to an arm's results (a trained model's curves, an evaluation's losses).</summary>
public interface IArmResultPart
{
    ArmResult ToArmResult();
}
