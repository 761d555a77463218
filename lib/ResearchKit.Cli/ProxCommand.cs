using System.CommandLine;
using System.Text.Json.Nodes;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.ProX;
using ResearchKit.ProX.Refining;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk prox apply</c>: ProX refinement of a corpus with refining models (the kit's own, or the released
/// ones from a local directory) or with the documents' label programs, whole or one shard at a time.</summary>
static class ProxCommand
{
    public static Command Create() => new("prox", "ProX: refine a corpus with programs written by refining models") { Apply() };

    static Command Apply()
    {
        var input = new Argument<string>("input") { Description = "file, directory or glob of shards" };
        var output = new Option<string>("--out") { Description = "output corpus file (.parquet, .jsonl or .jsonl.zst)", Required = true };
        var stages = new Option<string>("--stages") { Description = "d (ProX-D: keep/drop documents), c (ProX-C: edit chunks) or dc (both, in that order)", DefaultValueFactory = _ => "dc" };
        var docModel = new Option<string?>("--doc-model") { Description = "document-level refining model: a kit refiner (rk ablate prox-stages' refiner-train-* stage folder) or a Hugging Face directory (gair-prox/web-doc-refining-lm)" };
        var chunkModel = new Option<string?>("--chunk-model") { Description = "chunk-level refining model, as --doc-model (gair-prox/web-chunk-refining-lm)" };
        var labels = new Option<bool>("--labels") { Description = "programs from the documents' labels (mail-spam -> drop_doc(), meta.boilerplate -> remove_lines) instead of models" };
        var dialect = new Option<ProxDialect>("--dialect") { Description = "Strict (the kit's grammar) or Reference (the reference code's string parsing, quirks included)", DefaultValueFactory = _ => ProxDialect.Strict };
        var device = new Option<string>("--device") { Description = "where the models run: cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var batch = new Option<int?>("--batch") { Description = "prompts decoded together (default: the model's)" };
        var mapping = new MappingOptions();
        var shards = new ShardOptions();
        var cmd = new Command("apply", "Refine a corpus with ProX programs (ProX-D and/or ProX-C) and print what each step removed") { input, output, stages, docModel, chunkModel, labels, dialect, device, batch };
        mapping.AddTo(cmd);
        shards.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var which = p.GetValue(stages) switch
            {
                "d" => ProxStages.Document,
                "c" => ProxStages.Chunk,
                "dc" => ProxStages.DocumentAndChunk,
                var s => throw new ArgumentException($"--stages {s}: expected d, c or dc"),
            };
            var spec = new RefineSpec { Prox = which, GroundTruth = p.GetValue(labels), Options = ProxOptions.Default with { Dialect = p.GetValue(dialect) } };
            string? Model(Option<string?> option, bool needed, string flag)
            {
                var dir = p.GetValue(option);
                if (needed && dir is null) throw new ArgumentException($"--stages {p.GetValue(stages)} needs {flag} (or --labels)");
                return needed ? Path.GetFullPath(dir!) : null;
            }
            var docDir = Model(docModel, spec.NeedsDocumentModel, "--doc-model");
            var chunkDir = Model(chunkModel, spec.NeedsChunkModel, "--chunk-model");
            var docWriter = docDir is null ? null : RefinerModels.Load(docDir, ProxStages.Document, p.GetValue(device)!, p.GetValue(batch));
            var chunkWriter = chunkDir is null ? null : RefinerModels.Load(chunkDir, ProxStages.Chunk, p.GetValue(device)!, p.GetValue(batch));
            var pipeline = spec.Build(docWriter, chunkWriter, chunkWriter?.CreateChunker());
            var config = new JsonObject
            {
                ["refine"] = ConfigHash.ToNode(spec),
                ["doc_model"] = docDir,
                ["chunk_model"] = chunkDir,
            };
            return RefineCommands.Run(p, input, output, mapping, shards, "prox-apply", pipeline, config);
        });
        return cmd;
    }
}

/// <summary>What <c>rk filter</c> and <c>rk prox apply</c> share: run a pipeline over a corpus, whole or as one shard
/// (<see cref="CorpusShards"/>: part, stats, completion marker; finished shards are skipped; <c>rk merge</c> joins
/// them), and print the per-step and per-reason statistics.</summary>
static class RefineCommands
{
    public static int Run(ParseResult p, Argument<string> input, Option<string> output, MappingOptions mapping, ShardOptions shards,
                          string stage, DocumentPipeline pipeline, JsonObject config)
    {
        var target = p.GetValue(output)!;
        if (shards.Shard(p) is { } shard)
        {
            var outcome = ConsoleProgress.Run(progress => CorpusShards.Run(stage, p.GetValue(input)!, mapping.Get(p), target, shard, pipeline, config,
                                                                           shards.UnitBytes(p), progress));
            if (outcome.Stats["transform"] is JsonObject t)
            {
                var s = TransformStats.FromJson(t);
                AnsiConsole.Write(FilterCommand.ToTable(s.Steps()));
                AnsiConsole.Write(FilterCommand.ToTable(s.Reasons()));
            }
            ShardOptions.Report(outcome, CorpusShards.DirectoryOf(target), target);
            return 0;
        }
        var stats = new TransformStats();
        var docs = CorpusReader.Read(p.GetValue(input)!, mapping.Get(p));
        long written = ConsoleProgress.Run(progress => CorpusWriter.Write(target, pipeline.Apply(docs, stats), progress));
        AnsiConsole.Write(FilterCommand.ToTable(stats.Steps()));
        AnsiConsole.Write(FilterCommand.ToTable(stats.Reasons()));
        AnsiConsole.MarkupLineInterpolated($"wrote {written:N0} documents to {target}");
        return 0;
    }
}
