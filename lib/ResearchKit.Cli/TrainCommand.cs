using System.CommandLine;
using ResearchKit.Evaluation;
using ResearchKit.Experiments;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>
/// <c>rk train</c>: trains a GPT from a preset or a JSON config on a corpus or a token shard, then reports validation
/// loss per domain. The README's main job: <c>rk train --data data-samples/sample.parquet --out runs/tiny</c>.
/// </summary>
static class TrainCommand
{
    public static Command Create()
    {
        var preset = new Option<string>("--preset") { Description = "tiny (CPU, minutes) or gpu", DefaultValueFactory = _ => "tiny" };
        var config = new Option<string?>("--config") { Description = "a JSON TrainConfig (see --write-config); overrides --preset" };
        var data = new Option<string?>("--data") { Description = "a corpus (.parquet, .jsonl, .jsonl.zst file, directory or glob; split by document id) or a token shard from rk tokenize" };
        var validation = new Option<string?>("--validation") { Description = "validation token shard, when --data is a token shard" };
        var fraction = new Option<double>("--validation-fraction") { Description = "share of a corpus's documents held out for validation", DefaultValueFactory = _ => 0.1 };
        var tokenizer = new Option<string>("--tokenizer") { Description = "for a corpus: bytes, cl100k_base or o200k_base (the model's vocabulary follows it)", DefaultValueFactory = _ => "bytes" };
        var output = new Option<string?>("--out") { Description = "directory for config.json, checkpoint.bin, metrics.csv and validation.parquet" };
        var device = new Option<string?>("--device") { Description = "cpu, cuda, cuda:N or auto (overrides the config)" };
        var steps = new Option<int?>("--steps") { Description = "number of optimizer steps (overrides the config)" };
        var resume = new Option<bool>("--resume") { Description = "continue the run whose checkpoint is in --out (same losses as an uninterrupted run on CPU)" };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "save a checkpoint every N steps (overrides the config); a killed run resumes from the last one" };
        var writeConfig = new Option<string?>("--write-config") { Description = "write the resolved config as JSON to this path and exit" };
        var evalTokens = new Option<long>("--eval-tokens")
        {
            Description = "validation budget: score at most this many tokens, documents sampled evenly across the split; 0 = the whole split",
            DefaultValueFactory = _ => 1_000_000,
        };
        var mapping = new MappingOptions();
        var cmd = new Command("train", "Train a GPT on a corpus or token shard (preset or JSON config); checkpoints, per-step metrics, per-domain validation loss")
            { preset, config, data, validation, fraction, tokenizer, output, device, steps, checkpointEvery, resume, writeConfig, evalTokens };
        mapping.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            TrainConfig Resolve(int vocab)
            {
                var cfg = parse.GetValue(config) is { } file ? TrainConfig.FromJsonFile(file) : TrainConfig.Preset(parse.GetValue(preset)!, vocab);
                if (parse.GetValue(device) is { } dev) cfg = cfg with { Device = dev };
                if (parse.GetValue(steps) is { } n) cfg = cfg with { Steps = n };
                if (parse.GetValue(checkpointEvery) is { } every) cfg = cfg with { CheckpointEvery = every };
                if (parse.GetValue(output) is { } outDir) cfg = cfg with { OutputDirectory = outDir, Resume = parse.GetValue(resume) };
                return cfg;
            }
            if (parse.GetValue(writeConfig) is { } target)
            {
                AtomicFile.WriteAllText(target, Resolve(TextTokenizers.Create(parse.GetValue(tokenizer)!).VocabSize).ToJson());
                AnsiConsole.MarkupLineInterpolated($"wrote {target}");
                return 0;
            }
            var dataPath = parse.GetValue(data) ?? throw new ArgumentException("--data is required to train");
            if (parse.GetValue(checkpointEvery) is < 0)
                throw new ArgumentException($"--checkpoint-every {parse.GetValue(checkpointEvery)}: give a positive number of steps, or 0 for a checkpoint only at the end");
            if (parse.GetValue(output) is { } existing)
            {
                OutputFolder.Require(existing, "--out");
                bool hasCheckpoint = File.Exists(Path.Combine(existing, Checkpoint.FileName));
                if (hasCheckpoint && !parse.GetValue(resume))
                    throw new ArgumentException($"{Path.Combine(existing, Checkpoint.FileName)} is from an earlier run: pass --resume to continue it, or choose another --out");
                if (!hasCheckpoint && parse.GetValue(resume))
                    AnsiConsole.MarkupLineInterpolated($"--resume: no checkpoint in {existing}, so this starts a fresh run");
            }
            else if (parse.GetValue(resume)) throw new ArgumentException("--resume continues the run in --out: give --out");
            using var dataset = ConsoleProgress.Run(p => TrainingData.Load(dataPath, parse.GetValue(validation), parse.GetValue(tokenizer)!,
                parse.GetValue(fraction), mapping.Get(parse), p));
            var cfg = Resolve(dataset.Train.VocabSize);

            var result = ConsoleProgress.Run(progress => Trainer.Run(cfg, dataset.Train, progress));
            using var model = result.Model;
            var last = result.Metrics[^1];
            var table = new Table().AddColumns("", "");
            table.AddRow("steps", $"{last.Step + 1} / {cfg.Steps}");
            table.AddRow("parameters", $"{cfg.Model.ParameterCount / 1e6:F2}M");
            table.AddRow("mean train loss, last 10 steps", $"{result.Metrics.TakeLast(10).Average(m => m.Loss):F4}");
            table.AddRow("tokens seen", $"{last.Tokens:N0}");
            table.AddRow("tokens/s (last 10 steps)", $"{result.Metrics.TakeLast(10).Average(m => m.TokensPerSecond):N0}");
            foreach (var (key, value) in result.Summary) table.AddRow(Markup.Escape(key), $"{value:F4}");
            if (result.CheckpointPath is { } ckpt) table.AddRow("checkpoint", Markup.Escape(ckpt));
            AnsiConsole.Write(table);

            if (dataset.Validation is { } val)
            {
                var bytes = (val as MappedTokenDataset)?.CreateTokenizer().TokenByteLengths() ?? TextTokenizers.Create(parse.GetValue(tokenizer)!).TokenByteLengths();
                long budget = parse.GetValue(evalTokens);
                if (budget < 0) throw new ArgumentException($"--eval-tokens {budget}: give a positive token budget, or 0 for the whole validation split");
                var eval = ConsoleProgress.Run(p => Evaluator.Evaluate(model, val, new EvalOptions(cfg.Data.Packing.DocumentMask, BatchSize: 16,
                    MaxTokens: budget == 0 ? null : budget, TokenBytes: bytes, Documents: budget == 0 ? null : EvaluationBudget.EvenlySpaced(val, budget), DocumentStart: cfg.Data.DocumentStart), p));
                var frame = eval.ToDataFrame();
                if (cfg.OutputDirectory is { } dir) DataFrameParquet.Write(frame, Path.Combine(dir, "validation.parquet"));
                var losses = new Table().Title("validation loss per domain").AddColumn("domain").AddColumn("bits per byte", c => c.RightAligned())
                    .AddColumn("nats per token", c => c.RightAligned()).AddColumn("tokens", c => c.RightAligned());
                foreach (var d in eval.DomainsAndAll)
                    losses.AddRow(Markup.Escape(d.Domain), d.BitsPerByte is { } b ? $"{b:F4}" : "", $"{d.Loss:F4}", $"{d.Tokens:N0}");
                AnsiConsole.Write(losses);
                long available = EvaluationBudget.ScorableTokens(val);
                if (budget == 0 || available <= budget) AnsiConsole.MarkupLineInterpolated($"validation: all {eval.Tokens:N0} scored tokens of the split");
                else AnsiConsole.MarkupLineInterpolated($"validation: {eval.Tokens:N0} scored tokens of about {available:N0} in the split, documents taken evenly across it (budget --eval-tokens {budget:N0}; 0 scores all)");
                if (eval.BitsPerByte is { } all && eval.WorstDomain is { } worst)
                    AnsiConsole.MarkupLineInterpolated($"validation bits per byte: {all:F4} overall, {eval.DomainMeanBitsPerByte:F4} domain mean, worst {worst.BitsPerByte:F4} ({worst.Domain})");
            }
            return 0;
        });
        return cmd;
    }
}
