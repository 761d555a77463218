using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace ResearchKit.Training;

/// <summary>What one optimizer step did. <see cref="DomainWeights"/> is α_t for Group-DRO runs, else null.</summary>
public sealed record StepMetrics(int Step, int Phase, double Loss, double Lr, double GradNorm, long Tokens, double TokensPerSecond, double Mfu, double[]? DomainWeights = null)
{
    /// <summary>Writes metrics as CSV (one column per domain weight, named w_&lt;domain&gt;) atomically.</summary>
    public static void WriteCsv(string path, IReadOnlyList<StepMetrics> metrics, IReadOnlyList<string> domains)
    {
        var sb = new StringBuilder("step,phase,loss,lr,grad_norm,tokens,tokens_per_second,mfu");
        bool weights = metrics.Any(m => m.DomainWeights is not null);
        if (weights) foreach (var d in domains) sb.Append(",w_").Append(Quote(d));
        sb.Append('\n');
        foreach (var m in metrics)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m.Step},{m.Phase},{m.Loss:R},{m.Lr:R},{m.GradNorm:R},{m.Tokens},{m.TokensPerSecond:R},{m.Mfu:R}");
            if (weights) foreach (var w in m.DomainWeights ?? new double[domains.Count]) sb.Append(CultureInfo.InvariantCulture, $",{w:R}");
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Metrics as a DataFrame (same columns as the CSV) for notebooks and charts.</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<StepMetrics> metrics, IReadOnlyList<string> domains)
    {
        var frame = new DataFrame(
            new Int32DataFrameColumn("step", metrics.Select(m => m.Step)),
            new Int32DataFrameColumn("phase", metrics.Select(m => m.Phase)),
            new DoubleDataFrameColumn("loss", metrics.Select(m => m.Loss)),
            new DoubleDataFrameColumn("lr", metrics.Select(m => m.Lr)),
            new DoubleDataFrameColumn("grad_norm", metrics.Select(m => m.GradNorm)),
            new Int64DataFrameColumn("tokens", metrics.Select(m => m.Tokens)),
            new DoubleDataFrameColumn("tokens_per_second", metrics.Select(m => m.TokensPerSecond)),
            new DoubleDataFrameColumn("mfu", metrics.Select(m => m.Mfu)));
        if (metrics.Any(m => m.DomainWeights is not null))
            for (int d = 0; d < domains.Count; d++)
                frame.Columns.Add(new DoubleDataFrameColumn("w_" + domains[d], metrics.Select(m => m.DomainWeights?[d] ?? double.NaN)));
        return frame;
    }

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
