using System.CommandLine;
using System.Globalization;
using ResearchKit.Interop;
using ResearchKit.Runtime;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk export hf|tokens|mixture</c> and <c>rk import hf</c>: hand-off to the trainers and evaluators
/// researchers scale with, in their own formats.</summary>
static class ExportCommands
{
    public static Command Export() => new("export", "Write a checkpoint, token data or a mixture in the formats of other trainers and evaluators")
    {
        Hf(), Tokens(), MixtureCommand(),
    };

    public static Command Import()
    {
        var dir = new Argument<string>("directory") { Description = "a Hugging Face checkpoint directory (config.json + model.safetensors, GPT-NeoX layout)" };
        var output = new Option<string>("--out") { Description = "checkpoint file to write (or a directory: <dir>/checkpoint.bin)", Required = true };
        var hf = new Command("hf", "Read a Hugging Face GPT-NeoX checkpoint of the kit's shape (e.g. one rk export hf wrote) into a weights-only rk checkpoint") { dir, output };
        hf.SetAction(p =>
        {
            TorchRuntime.Initialize("cpu");
            var target = p.GetValue(output)!;
            if (Directory.Exists(target) || target.EndsWith('/')) target = Path.Combine(target, Checkpoint.FileName);
            var config = HfCheckpoint.Import(p.GetValue(dir)!, target);
            AnsiConsole.MarkupLineInterpolated($"imported {config.ParameterCount:N0} parameters (d {config.DModel}, {config.Layers} layers, {config.Heads} heads, vocab {config.VocabSize:N0}) -> {target}");
            return 0;
        });
        return new Command("import", "Read checkpoints written by other tools") { hf };
    }

    static string CheckpointPath(string path) => Directory.Exists(path) ? Path.Combine(path, Checkpoint.FileName) : path;

    static Command Hf()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "an rk checkpoint (checkpoint.bin, or the run directory holding it)" };
        var output = new Option<string>("--out") { Description = "output directory (config.json, model.safetensors, tokenizer files)", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = $"the model's tokenizer: {string.Join(", ", TextTokenizers.Names)} or a token file (.rkt) made with it; default: bytes when the vocabulary has 257 ids" };
        var cmd = new Command("hf", "Hugging Face safetensors + config.json (GPTNeoXForCausalLM layout, which computes exactly the kit's GPT) for lm-evaluation-harness / OLMES") { checkpoint, output, tokenizer };
        cmd.SetAction(p =>
        {
            TorchRuntime.Initialize("cpu");
            TextTokenizer? tok = p.GetValue(tokenizer) switch
            {
                null => null,
                var t when TokenShard.IsShard(t) => ReadTokenizer(t),
                var t => TextTokenizers.Create(t),
            };
            var export = HfCheckpoint.Export(CheckpointPath(p.GetValue(checkpoint)!), p.GetValue(output)!, tok);
            AnsiConsole.MarkupLineInterpolated($"exported {export.Parameters:N0} parameters as GPTNeoXForCausalLM -> {export.Directory} ({HfCheckpoint.ConfigFile}, {HfCheckpoint.WeightsFile}{(export.TokenizerFiles ? ", tokenizer.json, tokenizer_config.json" : "")})");
            if (export.TokenizerNote is { } note) AnsiConsole.MarkupLineInterpolated($"[yellow]tokenizer:[/] {note}");
            return 0;
        });
        return cmd;
    }

    static TextTokenizer ReadTokenizer(string shard)
    {
        using var data = TokenShard.Open(shard);
        return data.CreateTokenizer();
    }

    static Command Tokens()
    {
        var input = new Argument<string>("tokens") { Description = "an rk token file (tokens.rkt, or the directory holding it)" };
        var format = new Option<string>("--format") { Description = "megatron (.bin + .idx), llmc (header + uint16/uint32 shards), nanogpt (raw uint16)", Required = true };
        var output = new Option<string>("--out") { Description = "output path prefix (megatron: <out>.bin/.idx; llmc: <out>_000000.bin, ...; nanogpt: <out>.bin)", Required = true };
        var byDomain = new Option<bool>("--by-domain") { Description = "megatron: one dataset per domain, <out>_<domain>.bin/.idx (for a weighted blend, see rk export mixture)" };
        var prefixes = new Option<bool>("--with-prefixes") { Description = "also write each document's loss-masked prefix (MeCo metadata); these formats carry no loss mask" };
        var noEot = new Option<bool>("--no-eot") { Description = "no end-of-text between documents" };
        var perFile = new Option<long>("--tokens-per-file") { Description = "llmc: tokens per shard file", DefaultValueFactory = _ => LlmcTokenFile.DefaultTokensPerFile };
        var cmd = new Command("tokens", "Token data for Megatron-LM/NeMo, llm.c or nanoGPT") { input, format, output, byDomain, prefixes, noEot, perFile };
        cmd.SetAction(p =>
        {
            var path = p.GetValue(input)!;
            if (Directory.Exists(path)) path = Path.Combine(path, TokenShards.FileName);
            using var data = TokenShard.Open(path);
            var options = new TokenExportOptions(p.GetValue(prefixes), !p.GetValue(noEot));
            var prefix = p.GetValue(output)!;
            var summaries = new List<TokenExportSummary>();
            switch (p.GetValue(format))
            {
                case "megatron" when p.GetValue(byDomain):
                    for (int dom = 0; dom < data.Domains.Count; dom++)
                    {
                        var docs = Enumerable.Range(0, data.DocumentCount).Where(i => data.DomainOf(i) == dom).ToList();
                        summaries.Add(MegatronIndexedDataset.Write(data, $"{prefix}_{Mixture.FileSafe(data.Domains[dom])}", options, docs));
                    }
                    break;
                case "megatron": summaries.Add(ConsoleProgress.Run(progress => MegatronIndexedDataset.Write(data, prefix, options, null, progress))); break;
                case "llmc": summaries.Add(ConsoleProgress.Run(progress => LlmcTokenFile.Write(data, prefix, options, p.GetValue(perFile), progress))); break;
                case "nanogpt": summaries.Add(ConsoleProgress.Run(progress => NanoGptTokenFile.Write(data, prefix + ".bin", options, progress))); break;
                case var f: throw new ArgumentException($"--format '{f}': expected megatron, llmc or nanogpt");
            }
            foreach (var s in summaries)
                AnsiConsole.MarkupLineInterpolated($"{s.Documents:N0} documents, {s.Tokens:N0} tokens ({(s.TokenBytes == 2 ? "uint16" : s.TokenBytes == 4 && p.GetValue(format) == "megatron" ? "int32" : "uint32")}) -> {string.Join(", ", s.Files)}");
            return 0;
        });
        return cmd;
    }

    static Command MixtureCommand()
    {
        var weightsFile = new Option<string?>("--weights") { Description = "domain weights: a Group-DRO run's domain_weights.json ({\"train_domain_weights\": {\"domain\": weight}}) or {\"domain\": weight}" };
        var weight = new Option<string[]>("--weight") { Description = "a hand-set weight, domain=w (repeatable)", AllowMultipleArgumentsPerToken = true };
        var template = new Option<string>("--prefix") { Description = "dataset path prefix per domain, {domain} standing for the domain (as rk export tokens --by-domain names them)", Required = true };
        var output = new Option<string?>("--out") { Description = "also write <out>.txt (the blend line: Megatron's --data-args-path) and <out>.json" };
        var cmd = new Command("mixture", "A domain mixture as a Megatron/NeMo weighted blend line (w1 prefix1 w2 prefix2 ...) and as JSON") { weightsFile, weight, template, output };
        cmd.SetAction(p =>
        {
            var weights = new Dictionary<string, double>();
            if (p.GetValue(weightsFile) is { } file) foreach (var (k, v) in Mixture.ReadWeights(file)) weights[k] = v;
            foreach (var pair in p.GetValue(weight) ?? [])
            {
                int eq = pair.LastIndexOf('=');
                if (eq <= 0 || !double.TryParse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var w))
                    throw new ArgumentException($"--weight '{pair}': expected domain=weight");
                weights[pair[..eq]] = w;
            }
            var mixture = Mixture.FromWeights(weights, p.GetValue(template)!);
            if (p.GetValue(output) is { } o)
            {
                AtomicFile.WriteAllText(o + ".txt", mixture.BlendLine + "\n");
                AtomicFile.WriteAllText(o + ".json", mixture.ToJson());
            }
            Console.Out.WriteLine(mixture.BlendLine);
            return 0;
        });
        return cmd;
    }
}
