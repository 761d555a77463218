using ResearchKit.Packing;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Evaluation;

/// <summary>Validation loss of a model on a token dataset, and conditional loss of single texts (MeCo inference).</summary>
public static class Evaluator
{
    /// <summary>Packs the dataset in its own order (no shuffle) into the model's context windows and returns the loss
    /// overall, per domain (a target counts for its document's domain) and per window position.</summary>
    public static EvalResult Evaluate(Gpt model, ITokenDataset data, EvalOptions? options = null, IProgress<WorkProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new EvalOptions();
        int window = model.Config.Context + 1, t = model.Config.Context;
        if (options.TokenBytes is { } table && table.Length < data.VocabSize)
            throw new ArgumentException($"the byte table has {table.Length} entries; the dataset's vocabulary has {data.VocabSize}", nameof(options));
        var packer = new ConcatPacker(data, window, seed: 0, new PackerOptions(IncludePrefixes: options.Prefixes, DocumentStart: options.DocumentStart), options.Documents, shuffle: false);
        long? maxWindows = options.MaxTokens is { } budget ? Math.Max(1, budget / t) : null;
        var device = model.parameters().First().device;
        int k = data.Domains.Count;
        var sums = new double[k];
        var textSums = new double[k];
        var counts = new double[k];
        var bytes = new double[k];
        var positionSums = new double[t];
        var positionCounts = new double[t];
        long windowsSeen = 0, batches = 0;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var byteTable = options.TokenBytes is null ? null : torch.tensor(options.TokenBytes, ScalarType.Float64, device);
            while (maxWindows is null || windowsSeen < maxWindows)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var windows = new List<PackedWindow>();
                while (windows.Count < options.BatchSize && (maxWindows is null || windowsSeen + windows.Count < maxWindows) && packer.NextInEpoch() is { } w) windows.Add(w);
                if (windows.Count == 0) break;
                windowsSeen += windows.Count;
                using var scope = torch.NewDisposeScope();
                using var _ = torch.no_grad();
                using var batch = Batch.FromWindows(windows, options.DocumentMask, device);
                var perToken = TokenLoss.PerToken(model, batch).to_type(ScalarType.Float64);
                var mask = batch.LossMask.to_type(ScalarType.Float64);
                var masked = perToken * mask;
                var domains = batch.Domains.reshape(-1);
                Add(sums, DomainSums(masked, domains, k));
                Add(counts, DomainSums(mask, domains, k));
                if (byteTable is not null)
                {
                    var targetBytes = byteTable[batch.Targets] * mask;
                    Add(bytes, DomainSums(targetBytes, domains, k));
                    Add(textSums, DomainSums(masked * targetBytes.gt(0), domains, k));
                }
                Add(positionSums, masked.sum(dim: 0).cpu().data<double>().ToArray());
                Add(positionCounts, mask.sum(dim: 0).cpu().data<double>().ToArray());
                if (++batches % 16 == 0) progress?.Report(new WorkProgress("evaluate", windowsSeen, maxWindows, $"{counts.Sum():N0} targets"));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        progress?.Report(new WorkProgress("evaluate", windowsSeen, windowsSeen, $"{counts.Sum():N0} targets"));
        long total = (long)counts.Sum();
        if (total == 0) throw new ArgumentException("the dataset has no target tokens to evaluate", nameof(data));
        bool hasBytes = options.TokenBytes is not null;
        double? Bpb(double nats, double b) => hasBytes && b > 0 ? nats / (Math.Log(2) * b) : null;
        var perDomain = Enumerable.Range(0, k).Where(d => counts[d] > 0)
            .Select(d => new DomainLoss(data.Domains[d], sums[d] / counts[d], (long)counts[d], (long)bytes[d], Bpb(textSums[d], bytes[d]))).ToList();
        var positions = positionSums.Select((s, i) => positionCounts[i] > 0 ? s / positionCounts[i] : double.NaN).ToArray();
        return new EvalResult(sums.Sum() / total, total, (long)bytes.Sum(), Bpb(textSums.Sum(), bytes.Sum()), perDomain, positions);
    }

    static double[] DomainSums(Tensor values, Tensor domains, int k) =>
        torch.zeros(k, ScalarType.Float64, values.device).index_add_(0, domains, values.reshape(-1), 1).cpu().data<double>().ToArray();

    static void Add(double[] into, double[] values)
    {
        for (int i = 0; i < into.Length; i++) into[i] += values[i];
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
        var window = new PackedWindow(ids.Length);
        for (int i = 0; i < ids.Length; i++) window.Set(i, ids[i], trainable: i > prefix.Count, segment: 0, domain: 0, prefixInView: prefix.Count > 0);
        var device = model.parameters().First().device;
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            using var batch = Batch.FromWindows([window], documentMask: false, device);
            var loss = TokenLoss.MaskedMean(TokenLoss.PerToken(model, batch), batch.LossMask);
            return new TextLoss(loss.item<float>(), (int)batch.TrainedTargets);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
