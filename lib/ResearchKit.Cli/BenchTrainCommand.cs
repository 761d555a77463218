using System.CommandLine;
using ResearchKit.Corpus;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Cli;

/// <summary><c>rk bench train</c>: training tokens/s, MFU and a phase breakdown of a config on the real data path (loader,
/// document mask, loss), against bench/pytorch_reference.py on the same windows, shape and threads in the same command.</summary>
static class BenchTrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "tiny or gpu (gpu: d 768, 12 layers, 12 heads, T 1024, vocab 50304, batch 16)", DefaultValueFactory = _ => "gpu" };
        var config = new Option<string?>("--config") { Description = "a JSON TrainConfig; overrides --preset" };
        var data = new Option<string?>("--data") { Description = "token shard or corpus to draw windows from (default: data-samples/sample.parquet)" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer for a corpus: " + string.Join(", ", TextTokenizers.Names) + " (default: bytes for tiny; cl100k_base, compacted to the corpus's ids, otherwise)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "auto" };
        var precision = new Option<Precision?>("--precision") { Description = "Fp32 or Bf16Mixed (default: the config's; Fp32 on CPU)" };
        var batch = new Option<int?>("--batch") { Description = "sequences per step (overrides the config)" };
        var steps = new Option<int>("--steps") { Description = "timed steps", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed warm-up steps", DefaultValueFactory = _ => 5 };
        var logEvery = new Option<int?>("--log-every") { Description = "read loss and grad norm back every N steps (default: the config's)" };
        var peak = new Option<double?>("--peak-tflops") { Description = "peak dense TFLOP/s for MFU (default 989, H100 SXM bf16)" };
        var threads = new Option<int?>("--threads") { Description = $"intra-op CPU threads for both sides (default: {ThreadPolicy.ThreadsVariable}, else physical cores)" };
        var wait = new Option<string?>("--omp-wait") { Description = $"OpenMP wait policy for both sides: passive or active (default: {ThreadPolicy.WaitPolicyVariable}, else passive)" };
        var optimizer = new Option<AdamWKernel?>("--optimizer") { Description = "Fused or InPlace AdamW (default: fused when available)" };
        var reference = new Option<string>("--reference")
        {
            Description = "also time bench/pytorch_reference.py on the same windows in this command: auto (when python3 has torch), none, eager, compile, both",
            DefaultValueFactory = _ => "auto",
        };
        var train = new Command("train", "Time training steps on the real data path (loader, document mask, loss, AdamW): tokens/s, MFU, phases, against PyTorch when available")
            { preset, config, data, tokenizer, device, precision, batch, steps, warmup, logEvery, peak, threads, wait, optimizer, reference };
        train.SetAction(parse =>
        {
            ThreadPolicy.Configure(parse.GetValue(threads), parse.GetValue(wait));
            string presetName = parse.GetValue(preset)!;
            var info = TorchRuntime.Initialize(parse.GetValue(device)!);
            var dataset = LoadData(parse.GetValue(data), parse.GetValue(tokenizer) ?? (presetName == "tiny" && parse.GetValue(config) is null ? "bytes" : "cl100k_base"));
            var cfg = parse.GetValue(config) is { } file ? TrainConfig.FromJsonFile(file)
                : TrainConfig.Preset(presetName, presetName == "tiny" ? ByteTokenizer.Instance.VocabSize : 50_304);
            cfg = cfg with
            {
                Device = info.Device,
                Precision = parse.GetValue(precision) ?? (info.Device == "cpu" ? Precision.Fp32 : cfg.Precision),
                GradAccumulation = 1,
                BatchSize = parse.GetValue(batch) ?? cfg.BatchSize,
                LogEvery = parse.GetValue(logEvery) ?? cfg.LogEvery,
                PeakFlops = parse.GetValue(peak) is { } p ? p * 1e12 : cfg.PeakFlops,
            };
            int timed = parse.GetValue(steps), untimed = parse.GetValue(warmup);
            var result = ConsoleProgress.Run(progress => TrainBench.Run(cfg, dataset, timed, untimed, progress, parse.GetValue(optimizer)));
            Console.WriteLine(result.Line);   // unwrapped: one line per implementation, like the reference's
            Console.WriteLine(result.Details);
            Console.WriteLine(result.PhaseLine);
            var variants = ReferenceVariants(parse.GetValue(reference)!, info.Device);
            if (variants.Length == 0)
            {
                if (parse.GetValue(reference) == "auto") Console.WriteLine("reference: none (python3 cannot import torch; --reference eager prints why)");
                return 0;
            }
            var windows = Path.Combine(Path.GetTempPath(), $"rk-bench-windows-{Environment.ProcessId}.bin");
            try
            {
                TrainBench.WriteWindows(windows, cfg, dataset, (untimed + timed) * cfg.BatchSize);
                foreach (var variant in variants)
                {
                    var line = PyTorchReference.Run(cfg, variant, timed, untimed, windows, result.Threads);
                    Console.WriteLine(line.Text);
                    Console.WriteLine(line.NotComparable is { } why
                        ? $"ratio torchsharp / {line.Impl}: not comparable: {why}"
                        : $"ratio torchsharp / {line.Impl}: {result.TokensPerSecond / line.TokensPerSecond:F3}x tokens/s ({result.Threads.Line} on both sides)");
                }
            }
            finally { File.Delete(windows); }
            return 0;
        });
        return train;
    }

    /// <summary>A token shard as is, or a corpus tokenized in memory (compacted to the ids it uses unless byte-level).</summary>
    static ITokenDataset LoadData(string? path, string tokenizerName)
    {
        path ??= FindAbove(Path.Combine("data-samples", "sample.parquet"))
                 ?? throw new FileNotFoundException("data-samples/sample.parquet not found above the working directory: give --data");
        if (TokenShard.IsShard(path)) return TokenShard.Open(path);
        var documents = CorpusReader.Read(path).ToList();
        TextTokenizer tokenizer = TextTokenizers.Create(tokenizerName);
        if (tokenizer is not ByteTokenizer) tokenizer = CompactTokenizer.Build(tokenizer, documents.Select(d => d.Text));
        return InMemoryTokenDataset.Tokenize(documents, tokenizer);
    }

    internal static string? FindAbove(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, relative))) return Path.Combine(dir.FullName, relative);
        return null;
    }

    static string[] ReferenceVariants(string choice, string device) => choice switch
    {
        "none" => [],
        "eager" => ["eager"],
        "compile" => ["compile"],
        "both" => ["eager", "compile"],
        "auto" => PyTorchReference.Available() ? device == "cpu" ? ["eager"] : ["eager", "compile"] : [],
        _ => throw new ArgumentException($"--reference {choice}: expected auto, none, eager, compile or both"),
    };
}
