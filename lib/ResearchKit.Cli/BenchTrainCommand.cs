using System.CommandLine;
using ResearchKit.Training;

namespace ResearchKit.Cli;

/// <summary><c>rk bench train</c>: training tokens/s and MFU of a config; compare with bench/pytorch_reference.py
/// (run on the same machine) line by line.</summary>
static class BenchTrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "tiny or gpu (gpu: d 768, 12 layers, 12 heads, T 1024, vocab 50304, batch 16)", DefaultValueFactory = _ => "gpu" };
        var config = new Option<string?>("--config") { Description = "a JSON TrainConfig; overrides --preset" };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "auto" };
        var precision = new Option<Precision?>("--precision") { Description = "Fp32 or Bf16Mixed (default: the config's; Fp32 on CPU)" };
        var batch = new Option<int?>("--batch") { Description = "sequences per step (overrides the config)" };
        var steps = new Option<int>("--steps") { Description = "timed steps", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "untimed warm-up steps", DefaultValueFactory = _ => 5 };
        var peak = new Option<double?>("--peak-tflops") { Description = "peak dense TFLOP/s for MFU (default 989, H100 SXM bf16)" };
        var reference = new Option<string>("--reference")
        {
            Description = "also time bench/pytorch_reference.py on the same shape in this command: auto (when python3 has torch), none, eager, compile, both",
            DefaultValueFactory = _ => "auto",
        };
        var train = new Command("train", "Time training steps (forward, backward, AdamW) and report tokens/s and MFU, against PyTorch when available")
            { preset, config, device, precision, batch, steps, warmup, peak, reference };
        train.SetAction(parse =>
        {
            var cfg = parse.GetValue(config) is { } file ? TrainConfig.FromJsonFile(file) : TrainConfig.Preset(parse.GetValue(preset)!, parse.GetValue(preset) == "tiny" ? ResearchKit.Tokenization.ByteTokenizer.Instance.VocabSize : 50_304);
            var dev = Runtime.TorchRuntime.Initialize(parse.GetValue(device)!).Device;
            cfg = cfg with
            {
                Device = dev,
                Precision = parse.GetValue(precision) ?? (dev == "cpu" ? Precision.Fp32 : cfg.Precision),
                GradAccumulation = 1,
                BatchSize = parse.GetValue(batch) ?? cfg.BatchSize,
                PeakFlops = parse.GetValue(peak) is { } p ? p * 1e12 : cfg.PeakFlops,
            };
            var result = ConsoleProgress.Run(progress => TrainBench.Run(cfg, parse.GetValue(steps), parse.GetValue(warmup), progress));
            Console.WriteLine(result.Line);   // unwrapped: one line per implementation, like the reference's
            foreach (var variant in ReferenceVariants(parse.GetValue(reference)!, dev))
            {
                var line = PyTorchReference.Run(cfg, variant, parse.GetValue(steps), parse.GetValue(warmup));
                Console.WriteLine(line.Text);
                Console.WriteLine($"ratio torchsharp / {line.Impl}: {result.TokensPerSecond / line.TokensPerSecond:F3}x tokens/s");
            }
            return 0;
        });
        return train;
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
