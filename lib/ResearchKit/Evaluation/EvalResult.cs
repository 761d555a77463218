using Microsoft.Data.Analysis;

namespace ResearchKit.Evaluation;

/// <summary>Loss of one domain over its counted targets: nats per token, and bits per UTF-8 byte of the text those
/// targets stand for (null when the evaluation had no byte table).</summary>
public sealed record DomainLoss(string Domain, double Loss, long Tokens, long Bytes, double? BitsPerByte)
{
    public double Perplexity => Math.Exp(Loss);
}

/// <summary>
/// Validation loss overall (token-weighted) and per domain, in nats per token and bits per byte. Bits per byte =
/// Σ loss of targets that stand for text / (ln 2 · Σ their UTF-8 bytes); special targets such as end-of-text stand for
/// no bytes and are left out of both sums (as nanochat does), so the number compares across tokenizers.
/// <see cref="PositionLoss"/> is the mean loss at each target position of the window (does loss keep falling later
/// in the window?).
/// </summary>
public sealed record EvalResult(double Loss, long Tokens, long Bytes, double? BitsPerByte, IReadOnlyList<DomainLoss> Domains, IReadOnlyList<double> PositionLoss)
{
    public double Perplexity => Math.Exp(Loss);

    /// <summary>The mean of the domains' bits per byte, each domain counting once (DoReMi's headline average).</summary>
    public double? DomainMeanBitsPerByte => BitsPerByte is null || Domains.Count == 0 ? null : Domains.Average(d => d.BitsPerByte ?? double.NaN);

    /// <summary>The domain with the highest bits per byte (DoReMi's worst-case view).</summary>
    public DomainLoss? WorstDomain => BitsPerByte is null ? null : Domains.MaxBy(d => d.BitsPerByte);

    /// <summary>Each domain, then the whole set as a last row named "all".</summary>
    public IEnumerable<DomainLoss> DomainsAndAll => Domains.Append(new DomainLoss("all", Loss, Tokens, Bytes, BitsPerByte));

    /// <summary><see cref="DomainsAndAll"/> as a table: domain, loss (nats/token), bpb, perplexity, tokens, bytes.</summary>
    public DataFrame ToDataFrame()
    {
        var rows = DomainsAndAll.ToList();
        return new DataFrame(
            new StringDataFrameColumn("domain", rows.Select(r => r.Domain)),
            new DoubleDataFrameColumn("loss", rows.Select(r => r.Loss)),
            new DoubleDataFrameColumn("bpb", rows.Select(r => r.BitsPerByte)),
            new DoubleDataFrameColumn("perplexity", rows.Select(r => r.Perplexity)),
            new Int64DataFrameColumn("tokens", rows.Select(r => r.Tokens)),
            new Int64DataFrameColumn("bytes", rows.Select(r => r.Bytes)));
    }

    /// <summary>The per-position curve as a table: position (0-based target index in the window), loss.</summary>
    public DataFrame PositionFrame() => new(
        new Int32DataFrameColumn("position", Enumerable.Range(0, PositionLoss.Count)),
        new DoubleDataFrameColumn("loss", PositionLoss.Select(v => double.IsNaN(v) ? (double?)null : v)));

    /// <summary>Scalar metrics under a prefix: <c>loss</c>, <c>bpb</c>, <c>bpb_domain_mean</c>, <c>bpb_worst</c>.</summary>
    public Dictionary<string, double> Metrics(string prefix = "val_")
    {
        var m = new Dictionary<string, double> { [prefix + "loss"] = Loss };
        if (BitsPerByte is { } bpb) m[prefix + "bpb"] = bpb;
        if (DomainMeanBitsPerByte is { } mean) m[prefix + "bpb_domain_mean"] = mean;
        if (WorstDomain?.BitsPerByte is { } worst) m[prefix + "bpb_worst"] = worst;
        return m;
    }
}

/// <summary>Loss of one text (prefix tokens are context only, never scored).</summary>
public sealed record TextLoss(double Loss, int Tokens)
{
    public double Perplexity => Math.Exp(Loss);
}
