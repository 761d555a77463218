using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.Packing;

namespace ResearchKit.DoReMi;

/// <summary>
/// A weight vector as the files a weights stage leaves: <see cref="DomainWeights.FileName"/> (the DoReMi config layout,
/// normalised to sum 1) and <see cref="FileName"/>, the same numbers as a table (domain, weight).
/// </summary>
public static class DomainWeightsTable
{
    public const string FileName = "domain_weights.parquet";

    /// <summary>Writes both files into <paramref name="directory"/> (each atomically); returns the normalised weights.</summary>
    public static double[] Write(string directory, IReadOnlyList<string> domains, IReadOnlyList<double> weights)
    {
        double total = weights.Sum();
        var normalised = weights.Select(w => w / total).ToArray();
        DomainWeights.Write(Path.Combine(directory, DomainWeights.FileName), domains, normalised);
        DataFrameParquet.Write(ToFrame(domains, normalised), Path.Combine(directory, FileName));
        return normalised;
    }

    public static DataFrame ToFrame(IReadOnlyList<string> domains, IReadOnlyList<double> weights) =>
        new(new StringDataFrameColumn("domain", domains), new DoubleDataFrameColumn("weight", weights));

    /// <summary>The table beside a weights artifact written by a kit stage.</summary>
    public static DataFrame Read(DomainWeightsArtifact artifact) => DataFrameParquet.Read(Path.Combine(Path.GetDirectoryName(artifact.Path)!, FileName));
}
