using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Models;

/// <summary>Why a sequence stopped: an end token (not included in the output), the max-new-tokens budget, or the
/// model's context (prompt + output reached <see cref="ICausalLm.ContextLength"/>, as vLLM's max_model_len).</summary>
public enum StopReason { EndToken, MaxNewTokens, Context }

/// <summary>The tokens generated for one prompt (the end token excluded) and why generation stopped.</summary>
public sealed record Generation(int[] Tokens, StopReason Stop);

/// <param name="MaxNewTokens">Most tokens generated per prompt (the end token counts, as in vLLM's max_tokens).</param>
/// <param name="EndTokens">Ids that end a sequence (EOS); empty = run to the budget.</param>
/// <param name="UseKvCache">False recomputes each prompt's whole prefix at every step, one prompt at a time and
/// unpadded: the plain reference the cached, batched path is tested and timed against.</param>
/// <param name="BatchSize">Prompts decoded together (with the cache; without it, one at a time).</param>
public sealed record GenerationOptions(int MaxNewTokens, IReadOnlyCollection<int> EndTokens, bool UseKvCache = true, int BatchSize = 8);

/// <summary>
/// Greedy decoding (argmax at every step, first index on ties) of a batch of prompts. Prompts are <b>left-padded</b>
/// to the longest in their batch: pad positions are masked out of every attention row (a pad query sees only itself,
/// so no row is empty), and RoPE positions count real tokens only, so each prompt is computed as if it were alone.
/// With the cache, the prompt is run once (prefill) and then one token per step.
/// </summary>
public static class GreedyDecoding
{
    /// <summary>One <see cref="Generation"/> per prompt, in prompt order. Prompts are batched in order of length
    /// (less padding); each must be non-empty and shorter than the model's context.</summary>
    public static IReadOnlyList<Generation> Generate(ICausalLm model, IReadOnlyList<int[]> prompts, GenerationOptions options,
                                                     IProgress<WorkProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxNewTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i} is empty", nameof(prompts));
            if (prompts[i].Length >= model.ContextLength)
                throw new ArgumentException($"prompt {i} has {prompts[i].Length} tokens; the model's context of {model.ContextLength} leaves no room to generate", nameof(prompts));
            foreach (var id in prompts[i])
                if ((uint)id >= (uint)model.VocabSize) throw new ArgumentException($"prompt {i} holds token {id}, outside the vocabulary of {model.VocabSize}", nameof(prompts));
        }
        var order = Enumerable.Range(0, prompts.Count).OrderBy(i => prompts[i].Length).ToArray();
        var results = new Generation[prompts.Count];
        int batchSize = options.UseKvCache ? options.BatchSize : 1;
        using var _ = torch.no_grad();
        for (int start = 0; start < order.Length; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            var batch = order.Skip(start).Take(batchSize).ToArray();
            var generated = GenerateBatch(model, batch.Select(i => prompts[i]).ToArray(), options, cancel);
            for (int j = 0; j < batch.Length; j++) results[batch[j]] = generated[j];
            progress?.Report(new WorkProgress("generate", start + batch.Length, prompts.Count));
        }
        return results;
    }

    static Generation[] GenerateBatch(ICausalLm model, int[][] prompts, GenerationOptions options, CancellationToken cancel)
    {
        int b = prompts.Length;
        int longest = prompts.Max(p => p.Length);
        var pads = prompts.Select(p => longest - p.Length).ToArray();
        var budget = prompts.Select(p => Math.Min(options.MaxNewTokens, model.ContextLength - p.Length)).ToArray();
        int steps = budget.Max();
        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        var stops = new StopReason?[b];
        var device = model.Device;

        // The sequence so far, left-padded; the cache variant feeds only its newest column after the prefill.
        var sequence = new List<long[]>(longest + steps);
        for (int j = 0; j < longest; j++) sequence.Add(prompts.Select((p, r) => j < pads[r] ? 0L : p[j - pads[r]]).ToArray());
        using var padStart = torch.tensor(pads.Select(p => (long)p).ToArray(), device: device).view(b, 1, 1);
        using var cache = options.UseKvCache ? new KvCache(model.Layers, longest + steps) : null;

        for (int step = 0; step < steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int total = sequence.Count;
            int from = cache is null || step == 0 ? 0 : total - 1;   // first new column fed this step
            int t = total - from;
            var tokens = new long[b * t];
            var positions = new long[b * t];
            for (int r = 0; r < b; r++)
                for (int j = 0; j < t; j++)
                {
                    tokens[r * t + j] = sequence[from + j][r];
                    positions[r * t + j] = Math.Max(0, from + j - pads[r]);
                }
            var query = torch.arange(from, total, dtype: ScalarType.Int64, device: device).view(1, t, 1);
            var key = torch.arange(total, dtype: ScalarType.Int64, device: device).view(1, 1, total);
            // Causal over real tokens; a pad query attends to itself only (an all-masked row would give NaN).
            var mask = ((key <= query) & (key >= padStart) | (key == query)).unsqueeze(1);
            var logits = model.Forward(torch.tensor(tokens, [b, t], device: device), torch.tensor(positions, [b, t], device: device), mask, cache);
            var next = logits.select(1, t - 1).argmax(-1).cpu().data<long>().ToArray();

            var column = new long[b];
            for (int r = 0; r < b; r++)
            {
                if (stops[r] is not null) continue;
                int id = (int)next[r];
                if (options.EndTokens.Contains(id)) { stops[r] = StopReason.EndToken; continue; }
                outputs[r].Add(id);
                column[r] = id;
                if (outputs[r].Count == budget[r]) stops[r] = budget[r] == options.MaxNewTokens ? StopReason.MaxNewTokens : StopReason.Context;
            }
            if (stops.All(s => s is not null)) break;
            sequence.Add(column);
        }
        return outputs.Select((o, r) => new Generation([.. o], stops[r] ?? StopReason.MaxNewTokens)).ToArray();
    }
}
