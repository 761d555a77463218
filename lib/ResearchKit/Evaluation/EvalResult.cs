using Microsoft.Data.Analysis;

namespace ResearchKit.Evaluation;

/// <summary>Mean next-token loss of one domain over its counted target tokens.</summary>
public sealed record DomainLoss(string Domain, double Loss, long Tokens)
{
    public double Perplexity => Math.Exp(Loss);
}

/// <summary>Validation loss overall and per domain; the overall loss is token-weighted across domains.</summary>
public sealed record EvalResult(double Loss, long Tokens, IReadOnlyList<DomainLoss> Domains)
{
    public double Perplexity => Math.Exp(Loss);

    /// <summary>Each domain, then the whole set as a last row named "all".</summary>
    public IEnumerable<DomainLoss> DomainsAndAll => Domains.Append(new DomainLoss("all", Loss, Tokens));

    /// <summary><see cref="DomainsAndAll"/> as a table: domain, loss, perplexity, tokens.</summary>
    public DataFrame ToDataFrame()
    {
        var rows = DomainsAndAll.ToList();
        return new DataFrame(
            new StringDataFrameColumn("domain", rows.Select(r => r.Domain)),
            new DoubleDataFrameColumn("loss", rows.Select(r => r.Loss)),
            new DoubleDataFrameColumn("perplexity", rows.Select(r => r.Perplexity)),
            new Int64DataFrameColumn("tokens", rows.Select(r => r.Tokens)));
    }
}

/// <summary>Loss of one text (prefix tokens are context only, never scored).</summary>
public sealed record TextLoss(double Loss, int Tokens)
{
    public double Perplexity => Math.Exp(Loss);
}
