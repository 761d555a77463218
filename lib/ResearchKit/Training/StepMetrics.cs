using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace ResearchKit.Training;

/// <summary>What one optimizer step did. <see cref="Tokens"/> counts window tokens so far, <see cref="TrainedTokens"/>
/// the targets that carried loss, <see cref="PrefixedTokens"/> those of them whose document prefix (MeCo metadata) was
/// in view, <see cref="SkippedWindows"/> the windows passed over because none of their targets carried loss (all
/// counts cumulative). <see cref="Extras"/> holds the objective's per-step scalars (e.g. DoReMi's <c>w_&lt;domain&gt;</c>).</summary>
public sealed record StepMetrics(int Step, int Phase, double Loss, double Lr, double GradNorm, long Tokens, long TrainedTokens, long PrefixedTokens,
                                 long SkippedWindows, double TokensPerSecond, double Mfu, IReadOnlyDictionary<string, double>? Extras = null)
{
    static readonly string[] Columns = ["step", "phase", "loss", "lr", "grad_norm", "tokens", "trained_tokens", "prefixed_tokens", "skipped_windows", "tokens_per_second", "mfu"];

    static List<string> ExtraNames(IReadOnlyList<StepMetrics> metrics) =>
        metrics.SelectMany(m => m.Extras?.Keys ?? []).Distinct().ToList();

    /// <summary>Writes metrics as CSV (one column per extra, in first-seen order) atomically.</summary>
    public static void WriteCsv(string path, IReadOnlyList<StepMetrics> metrics)
    {
        var extras = ExtraNames(metrics);
        var sb = new StringBuilder(string.Join(',', Columns.Concat(extras.Select(Quote)))).Append('\n');
        foreach (var m in metrics)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m.Step},{m.Phase},{m.Loss:R},{m.Lr:R},{m.GradNorm:R},{m.Tokens},{m.TrainedTokens},{m.PrefixedTokens},{m.SkippedWindows},{m.TokensPerSecond:R},{m.Mfu:R}");
            foreach (var e in extras) sb.Append(CultureInfo.InvariantCulture, $",{(m.Extras?.TryGetValue(e, out var v) == true ? v : double.NaN):R}");
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Metrics as a DataFrame (same columns as the CSV) for notebooks and charts.</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<StepMetrics> metrics)
    {
        var frame = new DataFrame(
            new Int32DataFrameColumn("step", metrics.Select(m => m.Step)),
            new Int32DataFrameColumn("phase", metrics.Select(m => m.Phase)),
            new DoubleDataFrameColumn("loss", metrics.Select(m => m.Loss)),
            new DoubleDataFrameColumn("lr", metrics.Select(m => m.Lr)),
            new DoubleDataFrameColumn("grad_norm", metrics.Select(m => m.GradNorm)),
            new Int64DataFrameColumn("tokens", metrics.Select(m => m.Tokens)),
            new Int64DataFrameColumn("trained_tokens", metrics.Select(m => m.TrainedTokens)),
            new Int64DataFrameColumn("prefixed_tokens", metrics.Select(m => m.PrefixedTokens)),
            new Int64DataFrameColumn("skipped_windows", metrics.Select(m => m.SkippedWindows)),
            new DoubleDataFrameColumn("tokens_per_second", metrics.Select(m => m.TokensPerSecond)),
            new DoubleDataFrameColumn("mfu", metrics.Select(m => m.Mfu)));
        foreach (var e in ExtraNames(metrics))
            frame.Columns.Add(new DoubleDataFrameColumn(e, metrics.Select(m => m.Extras?.TryGetValue(e, out var v) == true ? v : double.NaN)));
        return frame;
    }

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
