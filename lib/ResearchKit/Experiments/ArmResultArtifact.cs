using System.Text.Json;
using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>An <see cref="ArmResult"/> stored in a stage's folder (metrics.json, curves.parquet, tables/*.parquet): for
/// stages that compute results directly.</summary>
public sealed class ArmResultArtifact(string directory) : IArmResultPart
{
    const string MetricsFile = "metrics.json", CurvesFile = "curves.parquet", TablesFolder = "tables";

    public static void Write(string directory, ArmResult result)
    {
        AtomicFile.WriteAllText(Path.Combine(directory, MetricsFile), JsonSerializer.Serialize(result.Metrics, KitJson.Files));
        DataFrameParquet.Write(new DataFrame(
            new Int64DataFrameColumn("step", result.Curves.Select(c => c.Step)),
            new StringDataFrameColumn("metric", result.Curves.Select(c => c.Metric)),
            new DoubleDataFrameColumn("value", result.Curves.Select(c => c.Value))), Path.Combine(directory, CurvesFile));
        foreach (var (name, table) in result.Tables) DataFrameParquet.Write(table, Path.Combine(directory, TablesFolder, name + ".parquet"));
    }

    public ArmResult ToArmResult()
    {
        var metrics = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(directory, MetricsFile)), KitJson.Files) ?? [];
        var curves = DataFrameParquet.Read(Path.Combine(directory, CurvesFile));
        var points = Enumerable.Range(0, (int)curves.Rows.Count)
            .Select(r => new CurvePoint((string)curves["metric"][r], (long)curves["step"][r]!, (double)curves["value"][r]!)).ToList();
        var tablesDir = Path.Combine(directory, TablesFolder);
        var tables = Directory.Exists(tablesDir)
            ? Directory.EnumerateFiles(tablesDir, "*.parquet").Order(StringComparer.Ordinal).ToDictionary(f => Path.GetFileNameWithoutExtension(f), DataFrameParquet.Read)
            : [];
        return new ArmResult(metrics) { Curves = points, Tables = tables };
    }
}
