using System.CommandLine;
using ResearchKit.Training;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk train</c>: trains a GPT on a token dataset from a preset or a JSON config.</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "tiny (CPU) or gpu", DefaultValueFactory = _ => "tiny" };
        var config = new Option<string?>("--config") { Description = "a JSON TrainConfig (see --write-config); overrides --preset" };
        var data = new Option<string?>("--data") { Description = "a token shard (rk tokenize) or a directory of UTF-8 text files (one document each, domain = folder name, byte tokenizer)" };
        var output = new Option<string?>("--out") { Description = "directory for checkpoint.bin and metrics.csv (resumes when a checkpoint is there)" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (overrides the config)" };
        var steps = new Option<int?>("--steps") { Description = "number of optimizer steps (overrides the config)" };
        var writeConfig = new Option<string?>("--write-config") { Description = "write the resolved config as JSON to this path and exit" };
        var cmd = new Command("train", "Train a GPT (a preset or a JSON config) and save checkpoints and per-step metrics")
            { preset, config, data, output, device, steps, writeConfig };
        cmd.SetAction(parse =>
        {
            var dataPath = parse.GetValue(data);
            var dataset = dataPath is null ? null : TrainingData.Load(dataPath);
            var cfg = parse.GetValue(config) is { } file
                ? TrainConfig.FromJsonFile(file)
                : TrainConfig.Preset(parse.GetValue(preset)!, dataset?.VocabSize ?? ResearchKit.Tokenization.ByteTokenizer.Instance.VocabSize);
            if (parse.GetValue(device) is { } dev) cfg = cfg with { Device = dev };
            if (parse.GetValue(steps) is { } n) cfg = cfg with { Steps = n };
            if (parse.GetValue(output) is { } outDir) cfg = cfg with { OutputDirectory = outDir };
            if (parse.GetValue(writeConfig) is { } target)
            {
                AtomicFile.WriteAllText(target, cfg.ToJson());
                AnsiConsole.MarkupLineInterpolated($"wrote {target}");
                return 0;
            }
            if (dataset is null) throw new ArgumentException("--data is required to train");
            var result = ConsoleProgress.Run(progress => Trainer.Run(cfg, dataset, progress));
            var last = result.Metrics[^1];
            var table = new Table().AddColumns("", "");
            table.AddRow("steps", $"{last.Step + 1} / {cfg.Steps}");
            table.AddRow("parameters", $"{cfg.Model.ParameterCount / 1e6:F2}M");
            table.AddRow("final loss", $"{last.Loss:F4}");
            table.AddRow("mean loss, last 10 steps", $"{result.Metrics.TakeLast(10).Average(m => m.Loss):F4}");
            table.AddRow("tokens seen", $"{last.Tokens:N0}");
            table.AddRow("tokens/s (last 10 steps)", $"{result.Metrics.TakeLast(10).Average(m => m.TokensPerSecond):N0}");
            if (result.AverageDomainWeights is { } w)
                table.AddRow("average domain weights", string.Join(", ", dataset.Domains.Zip(w, (d, x) => $"{d} {x:F4}")));
            if (result.CheckpointPath is { } ckpt) table.AddRow("checkpoint", Markup.Escape(ckpt));
            AnsiConsole.Write(table);
            (dataset as IDisposable)?.Dispose();
            return 0;
        });
        return cmd;
    }
}
