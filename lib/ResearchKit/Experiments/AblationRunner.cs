using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>
/// Runs an ablation's arms in declaration order and caches each finished arm by the hash of its resolved config, so a
/// rerun computes only arms whose config changed, and an arm that another ablation in the same results directory has
/// already finished with the same config (a shared baseline) is copied rather than retrained. Layout under <c>&lt;results&gt;/&lt;ablation&gt;/</c>:
/// <code>
/// config.json                  ablation, description, preset, base config, and each arm's hash, folder and resolved config
/// results.parquet              one row per arm: arm, then one double column per metric
/// curves.parquet               arm, step, metric, value
/// tables/&lt;name&gt;.parquet      each ArmResult table of all arms, with an arm column first
/// arms/&lt;arm&gt;-&lt;hash16&gt;/        the cache: arm.json (hash, config, metrics), curves.parquet, tables/*.parquet
/// </code>
/// Every file is written atomically, and an arm folder appears only when complete (built under a temporary name,
/// then renamed), so an interrupted run leaves finished arms reusable and nothing half-written.
/// </summary>
public static class AblationRunner
{
    public const string ConfigFile = "config.json", ResultsFile = "results.parquet", CurvesFile = "curves.parquet";
    const string ArmFile = "arm.json", TablesFolder = "tables", ArmsFolder = "arms";

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static AblationResults Run<TConfig>(Ablation<TConfig> ablation, string preset, string resultsDirectory,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default, bool rerun = false)
    {
        var arms = ablation.Resolve(preset);
        var directory = Path.GetFullPath(Path.Combine(resultsDirectory, ablation.Name));
        var stage = $"ablation {ablation.Name} ({preset})";
        var finished = new List<(string Arm, ArmResult Result)>();
        var computed = new List<string>();
        var cached = new List<string>();
        var armEntries = new JsonArray();

        for (int i = 0; i < arms.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (arm, config) = arms[i];
            var hash = ConfigHash.Of(config);
            var folder = $"{arm}-{hash[..16]}";
            var armDirectory = Path.Combine(directory, ArmsFolder, folder);
            progress?.Report(new(stage, i, arms.Count, arm));
            ArmResult? result = rerun ? null : TryLoad(armDirectory, hash);
            if (result is null && !rerun && FindInOtherAblations(resultsDirectory, ablation.Name, hash) is { } shared)
            {
                result = shared;   // e.g. the standard baseline, which every MeCo ablation has: copied, not retrained
                Save(armDirectory, arm, hash, ConfigHash.ToNode(config), result);
            }
            if (result is null)
            {
                result = ablation.Work(config, progress, cancellationToken);
                Save(armDirectory, arm, hash, ConfigHash.ToNode(config), result);
                computed.Add(arm);
            }
            else cached.Add(arm);
            finished.Add((arm, result));
            armEntries.Add(new JsonObject { ["arm"] = arm, ["configHash"] = hash, ["folder"] = $"{ArmsFolder}/{folder}", ["config"] = ConfigHash.ToNode(config) });
        }
        progress?.Report(new(stage, arms.Count, arms.Count, "done"));

        var summary = new JsonObject
        {
            ["ablation"] = ablation.Name,
            ["description"] = ablation.Description,
            ["preset"] = preset,
            ["base"] = ConfigHash.ToNode(ablation.Presets[preset]),
            ["arms"] = armEntries,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), summary.ToJsonString(Json));
        var results = ResultsTable(finished);
        DataFrameParquet.Write(results, Path.Combine(directory, ResultsFile));
        var curves = CurvesTable(finished.SelectMany(f => f.Result.Curves.Select(c => ((string?)f.Arm, c))));
        DataFrameParquet.Write(curves, Path.Combine(directory, CurvesFile));
        var tables = new Dictionary<string, DataFrame>();
        foreach (var name in finished.SelectMany(f => f.Result.Tables.Keys).Distinct())
        {
            tables[name] = WithArmColumn(finished.Where(f => f.Result.Tables.ContainsKey(name)).Select(f => (f.Arm, f.Result.Tables[name])));
            DataFrameParquet.Write(tables[name], Path.Combine(directory, TablesFolder, name + ".parquet"));
        }
        return new AblationResults(directory, results, curves, tables, computed, cached);
    }

    sealed record ArmRecord(string Arm, string ConfigHash, JsonNode? Config, Dictionary<string, double> Metrics, string[] Tables);

    static void Save(string armDirectory, string arm, string hash, JsonNode? config, ArmResult result)
    {
        foreach (var name in result.Tables.Keys)
            if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                throw new ArgumentException($"arm '{arm}': table name '{name}' must use only letters, digits, '-' or '_' (it names a file)");
        var parent = Path.GetDirectoryName(armDirectory)!;
        var temporary = Path.Combine(parent, $".tmp-{Path.GetFileName(armDirectory)}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var record = new ArmRecord(arm, hash, config, new(result.Metrics), result.Tables.Keys.ToArray());
            File.WriteAllText(Path.Combine(temporary, ArmFile), JsonSerializer.Serialize(record, Json));
            DataFrameParquet.Write(CurvesTable(result.Curves.Select(c => ((string?)null, c))), Path.Combine(temporary, CurvesFile));
            foreach (var (name, table) in result.Tables)
                DataFrameParquet.Write(table, Path.Combine(temporary, TablesFolder, name + ".parquet"));
            if (Directory.Exists(armDirectory)) Directory.Delete(armDirectory, recursive: true);
            Directory.Move(temporary, armDirectory);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>A finished arm with the same config hash in another ablation under the same results directory.</summary>
    static ArmResult? FindInOtherAblations(string resultsDirectory, string ablationName, string hash)
    {
        if (!Directory.Exists(resultsDirectory)) return null;
        foreach (var other in Directory.EnumerateDirectories(resultsDirectory).Order(StringComparer.Ordinal))
        {
            var arms = Path.Combine(other, ArmsFolder);
            if (Path.GetFileName(other) == ablationName || !Directory.Exists(arms)) continue;
            foreach (var candidate in Directory.EnumerateDirectories(arms, $"*-{hash[..16]}").Order(StringComparer.Ordinal))
                if (TryLoad(candidate, hash) is { } found) return found;
        }
        return null;
    }

    static ArmResult? TryLoad(string armDirectory, string hash)
    {
        var file = Path.Combine(armDirectory, ArmFile);
        if (!File.Exists(file)) return null;
        ArmRecord record;
        try { record = JsonSerializer.Deserialize<ArmRecord>(File.ReadAllText(file), Json) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new DataFormatException(file, null, null, $"cached arm is not valid JSON: {e.Message}", e); }
        if (record.ConfigHash != hash) return null; // a 16-hex-digit folder-name collision: recompute
        var curves = DataFrameParquet.Read(Path.Combine(armDirectory, CurvesFile));
        var steps = (PrimitiveDataFrameColumn<long>)curves["step"];
        var metrics = (StringDataFrameColumn)curves["metric"];
        var values = (PrimitiveDataFrameColumn<double>)curves["value"];
        var points = new CurvePoint[curves.Rows.Count];
        for (int r = 0; r < points.Length; r++) points[r] = new(metrics[r], steps[r] ?? 0, values[r] ?? double.NaN);
        var tables = record.Tables.ToDictionary(t => t, t => DataFrameParquet.Read(Path.Combine(armDirectory, TablesFolder, t + ".parquet")));
        return new ArmResult(record.Metrics) { Curves = points, Tables = tables };
    }

    static DataFrame ResultsTable(List<(string Arm, ArmResult Result)> arms)
    {
        var columns = new List<DataFrameColumn> { new StringDataFrameColumn("arm", arms.Select(a => a.Arm)) };
        foreach (var metric in arms.SelectMany(a => a.Result.Metrics.Keys).Distinct())
            columns.Add(new DoubleDataFrameColumn(metric, arms.Select(a => a.Result.Metrics.TryGetValue(metric, out var v) ? v : (double?)null)));
        return new DataFrame(columns);
    }

    /// <summary>Curves as a table; the arm column is left out when <c>Arm</c> is null (inside an arm's own folder).</summary>
    static DataFrame CurvesTable(IEnumerable<(string? Arm, CurvePoint Point)> points)
    {
        var list = points.ToList();
        var columns = new List<DataFrameColumn>();
        if (list.Count == 0 || list[0].Arm is not null) columns.Add(new StringDataFrameColumn("arm", list.Select(p => p.Arm)));
        columns.Add(new Int64DataFrameColumn("step", list.Select(p => p.Point.Step)));
        columns.Add(new StringDataFrameColumn("metric", list.Select(p => p.Point.Metric)));
        columns.Add(new DoubleDataFrameColumn("value", list.Select(p => p.Point.Value)));
        return new DataFrame(columns);
    }

    static DataFrame WithArmColumn(IEnumerable<(string Arm, DataFrame Table)> tables)
    {
        DataFrame? combined = null;
        foreach (var (arm, table) in tables)
        {
            if (combined is null)
            {
                combined = table.Clone();
                combined.Columns.Insert(0, new StringDataFrameColumn("arm", Enumerable.Repeat(arm, (int)table.Rows.Count)));
                continue;
            }
            foreach (var row in table.Rows)
                combined.Append(row.Prepend(arm), inPlace: true);
        }
        return combined!;
    }
}
