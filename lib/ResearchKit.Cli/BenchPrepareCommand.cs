using System.CommandLine;
using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Tokenization;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>
/// <c>rk bench prepare</c>: <c>rk corpus import</c> and <c>rk tokenize</c> end to end, as real processes on one core
/// and on all cores, at two input sizes: MiB of input per CPU-second, tokenize's rate over encoding alone (measured in
/// this process), the speed-up on all cores and peak memory (which should not grow with the input). <c>--against</c> measures another rk build the same way, interleaved, for a before/after in one run.
/// </summary>
static class BenchPrepareCommand
{
    public static Command Create()
    {
        var sizes = new Option<double[]>("--mb") { Description = "input sizes in MB (JSONL made by repeating data-samples/sample.parquet)", DefaultValueFactory = _ => [16, 128], AllowMultipleArgumentsPerToken = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = "tokenizer of the tokenize stage", DefaultValueFactory = _ => "cl100k_base" };
        var against = new Option<string?>("--against") { Description = "another rk build (its rk executable or rk.dll), measured the same way, interleaved with this one" };
        var repeat = new Option<int>("--repeat") { Description = "runs per measurement; the fastest (wall) is kept", DefaultValueFactory = _ => 1 };
        var cmd = new Command("prepare", "rk corpus import and rk tokenize end to end: MiB per CPU-second, rate over encoding alone, all-core speed-up, peak memory; --against another build") { sizes, tokenizer, against, repeat };
        cmd.SetAction(p =>
        {
            var work = Directory.CreateTempSubdirectory("rk-bench-prepare-").FullName;
            try { Run(work, p.GetValue(sizes)!.Order().ToArray(), p.GetValue(tokenizer)!, p.GetValue(against), Math.Max(1, p.GetValue(repeat))); }
            finally { Directory.Delete(work, recursive: true); }
            return 0;
        });
        return cmd;
    }

    static void Run(string work, double[] sizes, string tokenizer, string? against, int repeat)
    {
        if (against is not null && !File.Exists(against)) throw new FileNotFoundException($"--against {against}: no such file (give another build's rk executable or rk.dll)");
        int cores = Environment.ProcessorCount;
        bool pin = File.Exists("/usr/bin/taskset");
        var coreSets = pin ? (cores > 1 ? new[] { "0", $"0-{cores - 1}" } : ["0"]) : new string?[] { null };
        var inputs = sizes.Select((mb, i) => BenchShardsCommand.MakeInput(work, mb, $"input-{i}.jsonl")).ToArray();
        var mibs = inputs.Select(i => new FileInfo(i).Length / (double)(1 << 20)).ToArray();
        var builds = against is null ? new[] { ("this", (string?)null) } : [("this", null), ("against", against)];
        AnsiConsole.MarkupLineInterpolated($"{cores} cores, load average {BenchShardsCommand.LoadAverage()}, {(pin ? "pinned with taskset" : "not pinned (no taskset)")}; this build: tiered compilation {JitSetting("System.Runtime.TieredCompilation")}, quick JIT for loops {JitSetting("System.Runtime.TieredCompilation.QuickJitForLoops")}, tiered PGO {JitSetting("System.Runtime.TieredPGO")}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC");
        if (against is not null) AnsiConsole.MarkupLineInterpolated($"against: {against} (its own runtime settings)");

        double encodeRate = EncodeRate(inputs[0], mibs[0], tokenizer);
        AnsiConsole.MarkupLineInterpolated($"encoding alone, in this process, 1 thread, after a warm-up pass: {encodeRate:F2} MiB of input per second ({tokenizer}; input MiB are JSONL bytes, as below)");

        var table = new Table().AddColumns("build", "stage", "input MiB", "cpus", "wall s", "CPU s", "MiB/CPU-s", "speed-up", "peak MB", "÷ encoding alone");
        var results = new Dictionary<(string Build, string Stage, int Size, string? Cpus), ProcessUse>();
        foreach (var stage in new[] { "import", "tokenize" })
            for (int s = 0; s < inputs.Length; s++)
            {
                double mib = mibs[s];
                foreach (var cpus in coreSets)
                    foreach (var (build, exe) in builds)
                    {
                        var use = Enumerable.Range(0, repeat).Select(_ => Once(work, stage, inputs[s], tokenizer, cpus, exe)).MinBy(u => u.WallSeconds);
                        results[(build, stage, s, cpus)] = use;
                        var single = results.GetValueOrDefault((build, stage, s, coreSets[0]));
                        table.AddRow(build, stage, $"{mib:F1}", cpus ?? "all", $"{use.WallSeconds:F2}", $"{use.CpuSeconds:F2}", $"{mib / use.CpuSeconds:F2}",
                                     cpus == coreSets[0] ? "1.00x" : $"{single.WallSeconds / use.WallSeconds:F2}x", $"{use.PeakRssBytes / 1e6:F0}",
                                     stage == "tokenize" ? $"{mib / use.CpuSeconds / encodeRate:F2}x" : "");
                    }
            }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]CPU s: user + system of the whole process (start-up, reading, encoding, writing, checksums). ÷ encoding alone: MiB/CPU-s over the rate of encoding alone (warm, in this process): what the rest of the process (start-up, JIT, reading, writing) and a colder tokenizer cost. " +
                               "Speed-up: wall on one core ÷ wall on all. The machine may be shared: compare ratios measured in this run.[/]");

        var memory = new Table().AddColumns(["build", "stage", "cpus", .. mibs.Select(mib => $"peak MB at {mib:F1} MiB"), "largest ÷ smallest"]);
        foreach (var (build, _) in builds)
            foreach (var stage in new[] { "import", "tokenize" })
                foreach (var cpus in coreSets)
                {
                    var peaks = Enumerable.Range(0, inputs.Length).Select(s => results[(build, stage, s, cpus)].PeakRssBytes / 1e6).ToArray();
                    memory.AddRow([build, stage, cpus ?? "all", .. peaks.Select(x => $"{x:F0}"), $"{peaks[^1] / peaks[0]:F2}x"]);
                }
        AnsiConsole.Write(memory);

        if (against is null) return;
        var ratios = new Table().AddColumns("stage", "input MiB", "cpus", "wall this ÷ against", "CPU this ÷ against", "peak this ÷ against");
        foreach (var ((build, stage, s, cpus), use) in results.Where(r => r.Key.Build == "this"))
        {
            var other = results[("against", stage, s, cpus)];
            ratios.AddRow(stage, $"{mibs[s]:F1}", cpus ?? "all", $"{use.WallSeconds / other.WallSeconds:F2}x",
                          $"{use.CpuSeconds / other.CpuSeconds:F2}x", $"{(double)use.PeakRssBytes / other.PeakRssBytes:F2}x");
        }
        AnsiConsole.Write(ratios);
    }

    static ProcessUse Once(string work, string stage, string input, string tokenizer, string? cpus, string? executable)
    {
        var output = Path.Combine(work, "out");
        string[] args = stage == "import"
            ? ["corpus", "import", input, "--out", output + ".parquet"]
            : ["tokenize", input, "--tokenizer", tokenizer, "--out", output];
        try { return RkProcess.Measure(args, cpus, executable); }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
            File.Delete(output + ".parquet");
        }
    }

    /// <summary>Input MiB per second of encoding alone, single-threaded, after a warm-up pass.</summary>
    static double EncodeRate(string input, double mib, string tokenizer)
    {
        var texts = CorpusReader.Read(input).Select(d => d.Text).ToArray();
        var tok = TextTokenizers.Create(tokenizer);
        foreach (var t in texts) tok.Encode(t);
        var clock = Stopwatch.StartNew();
        foreach (var t in texts) tok.Encode(t);
        return mib / clock.Elapsed.TotalSeconds;
    }

    static string JitSetting(string name) => AppContext.GetData(name) is { } v ? $"{v}".ToLowerInvariant() : "default (on)";
}
