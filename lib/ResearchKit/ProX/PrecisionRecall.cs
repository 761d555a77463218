namespace ResearchKit.ProX;

/// <summary>Counts of a binary decision (drop a document, remove a line) against labels, and the usual ratios
/// (NaN when undefined, e.g. precision with nothing predicted).</summary>
public sealed record PrecisionRecall(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    public static PrecisionRecall Zero { get; } = new(0, 0, 0, 0);

    public double Precision => TruePositives + FalsePositives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? double.NaN : (double)TruePositives / (TruePositives + FalseNegatives);
    public double F1 => 2.0 * TruePositives + FalsePositives + FalseNegatives == 0 ? double.NaN
        : 2.0 * TruePositives / (2.0 * TruePositives + FalsePositives + FalseNegatives);
    public long Total => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;

    public static PrecisionRecall operator +(PrecisionRecall a, PrecisionRecall b) =>
        new(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.FalseNegatives + b.FalseNegatives, a.TrueNegatives + b.TrueNegatives);
}
