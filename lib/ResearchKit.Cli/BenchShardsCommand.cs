using System.CommandLine;
using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>
/// <c>rk bench shards</c>: throughput of the sharded import and tokenize stages with 1 and 2 real rk processes, each
/// pinned to its own core (taskset), on one input; the speed-up is the ratio of the two wall times measured in this
/// run. From the measured time per work unit and the merge rate it predicts the speed-up on n cluster tasks.
/// </summary>
static class BenchShardsCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input") { Description = "corpus to shard (default: data-samples/sample.parquet repeated into one JSONL of --mb MB)" };
        var mb = new Option<double>("--mb") { Description = "size of the default input", DefaultValueFactory = _ => 24 };
        var unitMb = new Option<double>("--unit-mb") { Description = "JSONL work unit size", DefaultValueFactory = _ => 1 };
        var tokenizer = new Option<string>("--tokenizer") { Description = "tokenizer of the tokenize stage", DefaultValueFactory = _ => "cl100k_base" };
        var processes = new Option<int>("--processes") { Description = "largest process count (1..n, one core each)", DefaultValueFactory = _ => Math.Min(2, Environment.ProcessorCount) };
        var cmd = new Command("shards", "Sharded import/tokenize: MB/s per process and the speed-up of 1..n processes (one core each), plus the merge, and the expected cluster scaling")
            { input, mb, unitMb, tokenizer, processes };
        cmd.SetAction(p =>
        {
            var work = Directory.CreateTempSubdirectory("rk-bench-shards-").FullName;
            try
            {
                var corpus = p.GetValue(input) ?? MakeInput(work, p.GetValue(mb));
                long bytes = CorpusReader.Files(corpus).Sum(f => new FileInfo(f).Length);
                double inputMb = bytes / (double)(1 << 20);
                long unitBytes = (long)(p.GetValue(unitMb) * (1 << 20));
                int units = CorpusUnit.Plan(CorpusReader.Files(corpus), unitBytes).Count;
                bool pin = File.Exists("/usr/bin/taskset") && Environment.ProcessorCount >= p.GetValue(processes);
                AnsiConsole.MarkupLineInterpolated($"input {corpus}: {inputMb:F1} MB in {units} work units; {Environment.ProcessorCount} cores, load average {LoadAverage()}; processes {(pin ? "pinned one per core (taskset)" : "not pinned (no taskset, or too few cores)")}");
                AnsiConsole.MarkupLine("[grey]wall times include each process's start (~0.1-0.5 s); the machine may be shared: compare the ratios, measured in this run[/]");
                var table = new Table().AddColumns("stage", "processes", "wall s", "MB/s total", "MB/s per process", "speed-up", "merge s", "merge MB/s");
                var stages = new (string Name, string[] Args, string Out)[]
                {
                    ("import", ["corpus", "import", corpus, "--unit-mb", $"{p.GetValue(unitMb)}"], "corpus.parquet"),
                    ("tokenize", ["tokenize", corpus, "--tokenizer", p.GetValue(tokenizer)!, "--unit-mb", $"{p.GetValue(unitMb)}"], "tokens"),
                };
                var predictions = new List<(string Stage, double PerUnit, double Merge)>();
                foreach (var (name, args, outName) in stages)
                {
                    double single = 0;
                    for (int n = 1; n <= p.GetValue(processes); n++)
                    {
                        var output = Path.Combine(work, $"{name}-{n}", outName);
                        var clock = Stopwatch.StartNew();
                        var running = Enumerable.Range(0, n).Select(i => RkProcess.Start([.. args, "--out", output, "--shard", $"{i}/{n}"], pin ? $"{i}" : null)).ToList();
                        foreach (var r in running) RkProcess.Finish(r);
                        double wall = clock.Elapsed.TotalSeconds;
                        clock.Restart();
                        RkProcess.Finish(RkProcess.Start(["merge", output]));
                        double merge = clock.Elapsed.TotalSeconds;
                        if (n == 1) { single = wall; predictions.Add((name, wall / units, merge)); }
                        table.AddRow(name, $"{n}", $"{wall:F2}", $"{inputMb / wall:F2}", $"{inputMb / wall / n:F2}", n == 1 ? "1.00x" : $"{single / wall:F2}x", $"{merge:F2}", $"{inputMb / merge:F1}");
                    }
                }
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLine("Expected on a cluster, one core per task: the array takes as long as its slowest shard (ceil(U/n) units at the measured " +
                                       "s/MB of one process), then the merge runs alone at its measured MB/s; speed-up against one unsharded process (no merge):");
                int[] counts = [4, 16, 64, 256, 1024];
                var scaling = new Table().AddColumns(["stage, corpus", "s/MB", "merge s/MB", .. counts.Select(n => $"n={n}")]);
                foreach (var (stage, perUnit, merge) in predictions)
                {
                    double perMb = perUnit * units / inputMb, mergePerMb = merge / inputMb;
                    foreach (var (label, sizeMb, unit) in new[] { ($"this input ({units} units)", inputMb, inputMb / units), ("100 GB, 32 MB units", 100.0 * 1024, 32.0) })
                    {
                        double u = Math.Ceiling(sizeMb / unit);
                        scaling.AddRow([$"{stage}, {label}", $"{perMb:F3}", $"{mergePerMb:F3}", .. counts.Select(n =>
                            $"{sizeMb * perMb / (Math.Ceiling(u / n) * unit * perMb + sizeMb * mergePerMb):F1}x")]);
                    }
                }
                AnsiConsole.Write(scaling);
                AnsiConsole.MarkupLine("The merge is one sequential pass over the whole output, so it bounds the speed-up at (s/MB) / (merge s/MB) however many tasks run; " +
                                       "past that, hand the trainer the parts themselves instead of one merged file.");
            }
            finally { Directory.Delete(work, recursive: true); }
            return 0;
        });
        return cmd;
    }

    /// <summary>data-samples/sample.parquet repeated (ids made unique) into one JSONL of about <paramref name="megabytes"/> MB.</summary>
    public static string MakeInput(string directory, double megabytes, string name = "input.jsonl")
    {
        var found = BenchTrainCommand.FindAbove(Path.Combine("data-samples", "sample.parquet"))
            ?? throw new FileNotFoundException("data-samples/sample.parquet not found: run from the repository root or pass --input");
        var docs = CorpusReader.Read(found).ToList();
        long target = (long)(megabytes * (1 << 20)), chars = 0;
        IEnumerable<Document> Repeated()
        {
            for (int copy = 0; chars < target; copy++)
                foreach (var d in docs)
                {
                    if (chars >= target) yield break;
                    chars += System.Text.Encoding.UTF8.GetByteCount(d.Text) + 100;
                    yield return d with { Id = $"{d.Id}#{copy}" };
                }
        }
        var path = Path.Combine(directory, name);
        CorpusWriter.Write(path, Repeated());
        return path;
    }

    public static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
