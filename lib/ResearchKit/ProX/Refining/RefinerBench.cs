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
