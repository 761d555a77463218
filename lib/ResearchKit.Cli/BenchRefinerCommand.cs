using System.CommandLine;
using ResearchKit.Models;
using ResearchKit.ProX;
using ResearchKit.ProX.Refining;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Cli;

/// <summary><c>rk bench refiner</c>: greedy generation tokens/s of refining models (random weights): the kit's GPT and
/// the released ProX refining models' Llama shape, or a real checkpoint directory, with the KV cache against
/// recomputing the prefix in the same run.</summary>
static class BenchRefinerCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model")
        {
            Description = "gpt-tiny (1.8M, byte vocab), gpt-small (124M), prox-llama (the released refining models' shape, 354M, random weights) or a Hugging Face model directory",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["gpt-tiny", "prox-llama"],
        };
        var prompt = new Option<int>("--prompt") { Description = "prompt tokens per sequence", DefaultValueFactory = _ => 64 };
        var newTokens = new Option<int>("--new") { Description = "generated tokens per sequence (the Llama shape on CPU: keep it small)", DefaultValueFactory = _ => 16 };
        var batch = new Option<int>("--batch") { Description = "sequences decoded together", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu, cuda, cuda:N or auto", DefaultValueFactory = _ => "cpu" };
        var noReference = new Option<bool>("--no-reference") { Description = "skip the no-cache decode (slow for long runs)" };
        var repeats = new Option<int>("--repeats") { Description = "runs per measurement; the fastest counts", DefaultValueFactory = _ => 3 };
        var threads = new Option<int?>("--threads") { Description = "torch intra-op threads (default: libtorch's, one per core); 1 is steadier on a shared machine" };
        var pipeline = new Option<bool>("--pipeline") { Description = "instead: refine real documents end to end (ProX-D, then ProX-C on every document) and report documents/s, chunks/s and the interpreter's share of the time" };
        var corpus = new Option<string>("--corpus") { Description = "--pipeline: documents to refine", DefaultValueFactory = _ => "data-samples/prox-lines.parquet" };
        var documents = new Option<int>("--documents") { Description = "--pipeline: how many (the first ones)", DefaultValueFactory = _ => 16 };
        var docModel = new Option<string?>("--doc-model") { Description = "--pipeline: a refining model directory (default: the tiny preset's kit refiner shape with random weights)" };
        var chunkModel = new Option<string?>("--chunk-model") { Description = "--pipeline: as --doc-model, chunk level" };
        var command = new Command("refiner", "Refining-model generation tokens/s: prefill, decode with the KV cache, and decode recomputing the prefix; --pipeline: documents/s end to end")
        {
            models, prompt, newTokens, batch, device, noReference, repeats, threads, pipeline, corpus, documents, docModel, chunkModel,
        };
        command.SetAction(parse =>
        {
            var dev = torch.device(Runtime.TorchRuntime.Initialize(parse.GetValue(device)!).Device);
            if (parse.GetValue(threads) is { } n) torch.set_num_threads(n);
            if (parse.GetValue(pipeline))
            {
                var docs = Corpus.CorpusReader.Read(parse.GetValue(corpus)!).Take(parse.GetValue(documents)).ToList();
                var writers = new[] { (parse.GetValue(docModel), ProxStages.Document), (parse.GetValue(chunkModel), ProxStages.Chunk) }
                    .Select(m => m.Item1 is { } dir ? RefinerModels.Load(dir, m.Item2, parse.GetValue(device)!, parse.GetValue(batch) > 1 ? parse.GetValue(batch) : null) : RandomKitRefiner(m.Item2, dev)).ToArray();
                Console.WriteLine($"{docs.Count} documents of {parse.GetValue(corpus)}; models: {writers[0].Name}, {writers[1].Name}" +
                                  (parse.GetValue(docModel) is null || parse.GetValue(chunkModel) is null ? " (random weights: every program runs to its token budget, the worst case)" : ""));
                Console.WriteLine(ConsoleProgress.Run(_ => RefinePipelineBench.Run(writers[0], writers[1], docs)).Line);
                return 0;
            }
            Console.WriteLine($"torch threads {torch.get_num_threads()}, {Environment.ProcessorCount} cores; random weights and prompts, no end token");
            foreach (var name in parse.GetValue(models)!)
            {
                torch.manual_seed(1);
                var (model, parameters) = Build(name, dev);
                var result = ConsoleProgress.Run(progress => RefinerBench.Run(name, model, parameters, parse.GetValue(prompt), parse.GetValue(newTokens), parse.GetValue(batch),
                                                                                !parse.GetValue(noReference), parse.GetValue(repeats), progress: progress));
                Console.WriteLine(result.Line);
                (model as IDisposable)?.Dispose();
            }
            return 0;
        });
        return command;
    }

    /// <summary>The tiny preset's kit refining model of <paramref name="level"/>, with random weights.</summary>
    static RefiningModelWriter RandomKitRefiner(ProxStages level, torch.Device device)
    {
        var tiny = Recipes.ProXRecipes.Presets()["tiny"];
        var spec = level == ProxStages.Document ? tiny.DocumentRefiner : tiny.ChunkRefiner;
        torch.manual_seed(1);
        var gpt = new Gpt(spec.Train.Model);
        gpt.to(device);
        gpt.eval();
        return RefinerSft.Writer(gpt, Tokenization.TextTokenizers.Create(spec.Tokenizer), spec.Sft, spec.GenerationBatch, spec.Name + " (random)");
    }

    static (ICausalLm Model, long Parameters) Build(string name, torch.Device device)
    {
        switch (name)
        {
            case "gpt-tiny" or "gpt-small":
                var config = name == "gpt-tiny" ? GptConfig.Tiny() : GptConfig.Small();
                var gpt = new Gpt(config);
                gpt.to(device);
                return (new GptCausalLm(gpt), config.ParameterCount);
            case "prox-llama":
                var llama = new LlamaForCausalLm(LlamaConfig.ProxRefining());
                llama.to(device);
                return (llama, llama.Config.ParameterCount);
            default:
                if (!Directory.Exists(name)) throw new ArgumentException($"--model {name}: expected gpt-tiny, gpt-small, prox-llama or a model directory");
                var loaded = LlamaCheckpoint.LoadModel(name, device);
                return (loaded, loaded.Config.ParameterCount);
        }
    }
}
