using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using ResearchKit.Pipeline;

namespace ResearchKit.Experiments;

/// <summary>
/// Runs every arm × seed of an ablation through one <see cref="StageRunner"/> over the store at
/// <c>&lt;results&gt;/stages/</c> (or <c>$RK_STAGES</c>), so stages shared between arms, seeds and ablations (the corpus
/// split, tokenization, a baseline) run once and a rerun computes only what changed. Writes, under
/// <c>&lt;results&gt;/&lt;ablation&gt;/</c> (built in a temporary folder, then swapped in whole):
/// <code>
/// config.json              ablation, description, preset, seeds, base config, each arm's resolved config and its runs' stage folders
/// results.parquet          one row per arm: arm, seeds, m, m_std, m_ci95 for every metric m
/// curves.parquet           arm, step, metric, value (mean over seeds)
/// tables/&lt;name&gt;.parquet    each table, averaged over seeds
/// runs/results.parquet     one row per (arm, seed)
/// runs/curves.parquet      arm, seed, step, metric, value
/// runs/tables/&lt;name&gt;.parquet
/// provenance.json          commit, date, versions, device and machine of this run (<see cref="Provenance"/>; stages
///                          taken from the store may have been computed by an earlier one)
/// </code>
/// </summary>
public static class AblationRunner
{
    public const string ConfigFile = "config.json", ResultsFile = "results.parquet", CurvesFile = "curves.parquet", TablesFolder = "tables", RunsFolder = "runs";

    public static AblationResults Run<TConfig>(Ablation<TConfig> ablation, string preset, string resultsDirectory, AblationOptions? options = null,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default) where TConfig : ISeeded<TConfig>
    {
        options ??= new AblationOptions();
        var runs = ablation.Runs(preset, options);
        var directory = Path.GetFullPath(Path.Combine(resultsDirectory, ablation.Name));
        var label = $"ablation {ablation.Name} ({preset})";
        var finished = new List<(string Arm, int Seed, ArmResult Result)>();
        using var stages = new StageRunner(ArtifactStore.For(resultsDirectory), progress, cancellationToken, options.Rerun);
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            progress?.Report(new WorkProgress(label, i, runs.Count, $"{run.Arm}, seed {run.Seed}"));
            var parts = run.Plan.Outputs.Select(o => stages.Run(o) as IArmResultPart
                ?? throw new InvalidOperationException($"arm '{run.Arm}': the artifact of stage {o.Name} does not give results (IArmResultPart)")).ToList();
            finished.Add((run.Arm, run.Seed, ArmResult.Combine(parts.Select(p => p.ToArmResult()))));
        }
        progress?.Report(new WorkProgress(label, runs.Count, runs.Count, "done"));

        var runTable = AblationTables.Runs(finished);
        var results = AblationTables.Summary(runTable);
        var runCurves = AblationTables.RunCurves(finished);
        var curves = AblationTables.MeanCurves(finished);
        var runTables = new Dictionary<string, DataFrame>();
        var tables = new Dictionary<string, DataFrame>();
        foreach (var name in finished.SelectMany(f => f.Result.Tables.Keys).Distinct())
        {
            if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
                throw new ArgumentException($"table name '{name}' must use only letters, digits, '-' or '_' (it names a file)");
            runTables[name] = AblationTables.RunTable(finished.Where(f => f.Result.Tables.ContainsKey(name)).Select(f => (f.Arm, f.Seed, f.Result.Tables[name])));
            tables[name] = AblationTables.SummariseTable(runTables[name]);
        }

        var summary = new JsonObject
        {
            ["ablation"] = ablation.Name,
            ["description"] = ablation.Description,
            ["preset"] = preset,
            ["seeds"] = runs.Select(r => r.Seed).Distinct().Count(),
            ["base"] = ConfigHash.ToNode(ablation.Presets[preset]),
            ["arms"] = new JsonArray(runs.GroupBy(r => r.Arm).Select(g => (JsonNode)new JsonObject
            {
                ["arm"] = g.Key,
                ["config"] = ConfigHash.ToNode(g.First().Config),
                ["runs"] = new JsonArray(g.Select(r => (JsonNode)new JsonObject
                {
                    ["seed"] = r.Seed,
                    ["stages"] = new JsonArray(r.Plan.Outputs.Select(o => (JsonNode)Path.GetRelativePath(directory, stages.Store.FolderOf(o))).ToArray()),
                }).ToArray()),
            }).ToArray()),
        };
        WriteFolder(directory, dir =>
        {
            File.WriteAllText(Path.Combine(dir, ConfigFile), summary.ToJsonString(KitJson.Files));
            Provenance.Capture(GitRepository.Root(dir) ?? Environment.CurrentDirectory).Save(Path.Combine(dir, Provenance.FileName));
            DataFrameParquet.Write(results, Path.Combine(dir, ResultsFile));
            DataFrameParquet.Write(curves, Path.Combine(dir, CurvesFile));
            DataFrameParquet.Write(runTable, Path.Combine(dir, RunsFolder, ResultsFile));
            DataFrameParquet.Write(runCurves, Path.Combine(dir, RunsFolder, CurvesFile));
            foreach (var (name, table) in tables) DataFrameParquet.Write(table, Path.Combine(dir, TablesFolder, name + ".parquet"));
            foreach (var (name, table) in runTables) DataFrameParquet.Write(table, Path.Combine(dir, RunsFolder, TablesFolder, name + ".parquet"));
        });
        return new AblationResults(directory, results, runTable, curves, tables,
            stages.Computed.Select(s => s.ToString()!).ToList(), stages.Cached.Select(s => s.ToString()!).ToList());
    }

    /// <summary>Builds the ablation's folder under a temporary name beside it, then swaps it in, so readers never see
    /// a mix of two runs' files.</summary>
    static void WriteFolder(string directory, Action<string> write)
    {
        var parent = Path.GetDirectoryName(directory)!;
        if (File.Exists(parent)) throw new IOException($"{parent} is an existing file; the results folder goes there: choose another --out");
        if (File.Exists(directory)) throw new IOException($"{directory} is an existing file; the ablation's results folder goes there: move it away");
        Directory.CreateDirectory(parent);
        var name = Path.GetFileName(directory);
        OrphanTemporaries.RemoveFolders(parent, name);   // a killed run's half-built folder
        var temporary = Path.Combine(parent, $".tmp-{name}-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            write(temporary);
            // Two runs of one ablation into one folder: the swap (delete, then move) is one at a time.
            using var gate = FileLock.Acquire(Path.Combine(parent, $".{name}.lock"));
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            Directory.Move(temporary, directory);
        }
        catch (IOException e) when (AtomicFile.IsDiskFull(e))
        {
            throw new DiskFullException(directory, e);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }
}
