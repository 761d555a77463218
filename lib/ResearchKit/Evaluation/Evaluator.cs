using ResearchKit.Packing;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Evaluation;

/// <summary>Validation loss of a model on a token dataset, and conditional loss of single texts (MeCo inference).</summary>
public static class Evaluator
{
    /// <summary>Packs the dataset in its own order (no shuffle) into the model's context windows and returns the
    /// token-weighted mean loss overall and per domain (a target token counts for its document's domain).</summary>
    /// <param name="prefixes">Keep the documents' loss-masked prefixes as context (MeCo with metadata).</param>
    /// <param name="maxWindows">Stop after this many windows (a quick estimate); null = the whole dataset.</param>
    public static EvalResult Evaluate(Gpt model, ITokenDataset data, bool documentMask = true, bool prefixes = false, int batchSize = 8, int? maxWindows = null)
    {
        var packer = new ConcatPacker(data, model.Config.Context + 1, prefixes, seed: 0, shuffle: false);
        var device = model.parameters().First().device;
        int k = data.Domains.Count;
        var sums = new double[k];
        var counts = new double[k];
        int windowsSeen = 0;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            while (maxWindows is null || windowsSeen < maxWindows)
            {
                var windows = new List<PackedWindow>();
                while (windows.Count < batchSize && (maxWindows is null || windowsSeen + windows.Count < maxWindows) && packer.NextInEpoch() is { } w) windows.Add(w);
                if (windows.Count == 0) break;
                windowsSeen += windows.Count;
                using var scope = torch.NewDisposeScope();
                using var _ = torch.no_grad();
                using var batch = Batch.FromWindows(windows, documentMask, device);
                var perToken = TokenLoss.PerToken(model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
                var domains = batch.Domains.reshape(-1);
                var s = torch.zeros(k, ScalarType.Float64, device).index_add_(0, domains, (perToken * batch.LossMask).reshape(-1).to_type(ScalarType.Float64), 1);
                var c = torch.zeros(k, ScalarType.Float64, device).index_add_(0, domains, batch.LossMask.reshape(-1).to_type(ScalarType.Float64), 1);
                var sc = s.cpu().data<double>().ToArray();
                var cc = c.cpu().data<double>().ToArray();
                for (int d = 0; d < k; d++) { sums[d] += sc[d]; counts[d] += cc[d]; }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        long total = (long)counts.Sum();
        if (total == 0) throw new ArgumentException("the dataset has no target tokens to evaluate", nameof(data));
        var perDomain = Enumerable.Range(0, k).Where(d => counts[d] > 0)
            .Select(d => new DomainLoss(data.Domains[d], sums[d] / counts[d], (long)counts[d])).ToList();
        return new EvalResult(sums.Sum() / total, total, perDomain);
    }

    /// <summary>Mean loss of <paramref name="text"/>'s tokens after an optional <paramref name="prefix"/> (MeCo's
    /// conditional inference, e.g. "URL: wikipedia.org\n\n"). Both are tokenized separately; the prefix is context
    /// only. The first text token is never scored, with or without a prefix, so the two losses cover the same
    /// targets and can be compared. Texts longer than the context are cut at the end.</summary>
    public static TextLoss Score(Gpt model, TextTokenizer tokenizer, string text, string? prefix = null) =>
        Score(model, tokenizer.Encode(text), prefix is null ? null : tokenizer.Encode(prefix));

    public static TextLoss Score(Gpt model, IReadOnlyList<int> text, IReadOnlyList<int>? prefix = null)
    {
        prefix ??= [];
        if (text.Count < 2) throw new ArgumentException("a scored text needs at least two tokens", nameof(text));
        if (prefix.Count + 2 > model.Config.Context + 1) throw new ArgumentException($"a prefix of {prefix.Count} tokens leaves no room in a context of {model.Config.Context}", nameof(prefix));
        var ids = prefix.Concat(text).Take(model.Config.Context + 1).ToArray();
        int n = ids.Length;
        var window = new PackedWindow(ids, ids.Select((_, i) => i > prefix.Count).ToArray(), new int[n], new int[n]);
        var device = model.parameters().First().device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            using var batch = Batch.FromWindows([window], documentMask: false, device);
            var loss = TokenLoss.MaskedMean(TokenLoss.PerToken(model.Forward(batch.Tokens), batch.Targets), batch.LossMask);
            return new TextLoss(loss.item<float>(), (int)batch.LossMask.sum().item<float>());
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
