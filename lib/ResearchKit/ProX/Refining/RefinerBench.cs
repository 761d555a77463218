using System.Diagnostics;
using ResearchKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.ProX.Refining;

/// <summary>Generation throughput of a refining model: prompt tokens per second in the prefill, generated tokens per
/// second afterwards with the KV cache, and the same decode without the cache (each step recomputes the prefix),
/// measured in the same run so the ratio holds on a busy machine.</summary>
public sealed record RefinerBenchResult(string Model, string Device, long Parameters, int Batch, int PromptTokens, int NewTokens,
    double PrefillTokensPerSecond, double DecodeTokensPerSecond, double? NoCacheDecodeTokensPerSecond)
{
    public string Line =>
        $"model={Model} device={Device} params={Parameters / 1e6:F1}M batch={Batch} prompt={PromptTokens} new={NewTokens} " +
        $"prefill_tokens_per_s={PrefillTokensPerSecond:F0} decode_tokens_per_s={DecodeTokensPerSecond:F1}" +
        (NoCacheDecodeTokensPerSecond is { } n ? $" nocache_decode_tokens_per_s={n:F1} cache_speedup={DecodeTokensPerSecond / n:F2}x" : "");
}

/// <summary>Times <see cref="GreedyDecoding"/> on random prompts of a fixed length with no end token, so every
/// sequence runs its full budget: a 1-token run times the prefill, an N-token run minus it the N-1 decode steps. Each
/// run is repeated and its fastest time kept (a shared machine only ever adds time). Random weights and tokens are
/// fine: the arithmetic does not depend on the values.</summary>
public static class RefinerBench
{
    public static RefinerBenchResult Run(string name, ICausalLm model, long parameters, int promptTokens, int newTokens, int batch,
                                         bool withoutCache = true, int repeats = 3, int seed = 1, IProgress<WorkProgress>? progress = null)
    {
        if (promptTokens < 1 || newTokens < 2 || batch < 1 || repeats < 1) throw new ArgumentException("prompt ≥ 1, new ≥ 2, batch ≥ 1 and repeats ≥ 1 are needed to time a decode step");
        if (promptTokens + newTokens > model.ContextLength)
            throw new ArgumentException($"prompt {promptTokens} + new {newTokens} exceeds the model's context of {model.ContextLength}");
        var random = new Random(seed);
        var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, promptTokens).Select(_ => random.Next(model.VocabSize)).ToArray()).ToArray();

        double Seconds(int tokens, bool cache, string stage)
        {
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                progress?.Report(new WorkProgress($"bench refiner {name}", r, repeats, stage));
                var clock = Stopwatch.StartNew();
                GreedyDecoding.Generate(model, prompts, new GenerationOptions(tokens, [], cache, batch));
                if (model.Device.type == DeviceType.CUDA) torch.cuda.synchronize(model.Device);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            return best;
        }
        // Tokens per second of the decode steps; NaN when noise left no measurable difference.
        double DecodeRate(double all, double prefillOnly) => all > prefillOnly ? (newTokens - 1) * batch / (all - prefillOnly) : double.NaN;

        GreedyDecoding.Generate(model, prompts, new GenerationOptions(2, [], true, batch));   // warm-up
        double prefill = Seconds(1, cache: true, "prefill");
        double decode = DecodeRate(Seconds(newTokens, cache: true, "decode"), prefill);
        double? noCache = null;
        if (withoutCache)
        {
            double prefillAlone = Seconds(1, cache: false, "prefill without cache");
            noCache = DecodeRate(Seconds(newTokens, cache: false, "decode without cache"), prefillAlone);
        }
        return new RefinerBenchResult(name, model.Device.ToString(), parameters, batch, promptTokens, newTokens, promptTokens * batch / prefill, decode, noCache);
    }
}

/// <summary>End-to-end refinement throughput: documents through ProX-D and ProX-C with refining models (prompting,
/// chunking, generation and interpretation), and the interpreter's share of that time, measured by running the same
/// programs again without the models.</summary>
public sealed record RefinePipelineBenchResult(int Documents, int Chunks, long Characters, double DocumentSeconds, double ChunkSeconds,
    long GeneratedTokens, double InterpreterSeconds)
{
    public string Line =>
        $"documents={Documents} chunks={Chunks} chars={Characters} prox_d_docs_per_s={Documents / DocumentSeconds:F1} " +
        $"prox_c_chunks_per_s={Chunks / ChunkSeconds:F1} prox_c_docs_per_s={Documents / ChunkSeconds:F2} " +
        $"generated_tokens_per_s={GeneratedTokens / (DocumentSeconds + ChunkSeconds):F0} interpreter_share={InterpreterSeconds / (DocumentSeconds + ChunkSeconds):P3}";
}

public static class RefinePipelineBench
{
    /// <summary>Runs ProX-D with <paramref name="documentWriter"/> then ProX-C with <paramref name="chunkWriter"/> on
    /// every document (ProX-C on all of them, so both stages see the same work whatever ProX-D decides).</summary>
    public static RefinePipelineBenchResult Run(RefiningModelWriter documentWriter, RefiningModelWriter chunkWriter, IReadOnlyList<Corpus.Document> documents,
                                                int documentsPerBatch = 16)
    {
        var stats = new Pipeline.TransformStats();
        var programs = new List<(string Text, string Program, bool Chunk)>();
        void Observe(ProxRefinement r)
        {
            if (r.ChunkProgram is { } c) programs.Add((r.Input.Text, c, true));
            else programs.Add((r.Input.Text, r.DocumentProgram!, false));
        }
        long before = documentWriter.Totals.GeneratedTokens + (ReferenceEquals(documentWriter, chunkWriter) ? 0 : chunkWriter.Totals.GeneratedTokens);
        var clock = Stopwatch.StartNew();
        new ProxRefineTransform(documentWriter, ProxStages.Document, name: "prox-d", batchSize: documentsPerBatch, observe: Observe).Apply(documents, stats).Count();
        double d = clock.Elapsed.TotalSeconds;
        int promptsBefore = chunkWriter.Totals.Prompts;
        clock.Restart();
        var chunker = chunkWriter.CreateChunker();
        new ProxRefineTransform(chunkWriter, ProxStages.Chunk, chunker, name: "prox-c", batchSize: documentsPerBatch, observe: Observe).Apply(documents, stats).Count();
        double c = clock.Elapsed.TotalSeconds;
        // ProX-C ran on every document and wrote one prompt per chunk.
        int chunks = chunkWriter.Totals.Prompts - promptsBefore;
        long generated = documentWriter.Totals.GeneratedTokens + (ReferenceEquals(documentWriter, chunkWriter) ? 0 : chunkWriter.Totals.GeneratedTokens) - before;

        var interpreter = new ProgramInterpreter();
        clock.Restart();
        foreach (var (text, program, chunk) in programs)
            _ = chunk ? interpreter.RunChunkProgram(text, program) : interpreter.RunDocumentProgram(text, program);
        double interpreting = clock.Elapsed.TotalSeconds;
        return new RefinePipelineBenchResult(documents.Count, chunks, documents.Sum(x => (long)x.Text.Length), d, c, generated, interpreting);
    }
}
