using Microsoft.Data.Analysis;

namespace ResearchKit.Reports;

/// <summary>Row and column selection on the kit's result tables (arm, domain, metric, condition columns), for notebook
/// cells and reports.</summary>
public static class DataFrames
{
    /// <summary>The rows whose <paramref name="column"/> equals <paramref name="value"/> (compared as invariant text), e.g. one arm's rows.</summary>
    public static DataFrame Where(DataFrame frame, string column, string value)
    {
        if (frame.Columns.IndexOf(column) < 0)
            throw new ArgumentException($"the table has no column '{column}' (it has: {string.Join(", ", frame.Columns.Select(c => c.Name))})", nameof(column));
        var source = frame[column];
        var match = new PrimitiveDataFrameColumn<bool>("match", Enumerable.Range(0, (int)frame.Rows.Count)
            .Select(r => Convert.ToString(source[r], System.Globalization.CultureInfo.InvariantCulture) == value));
        return frame.Filter(match);
    }

    /// <summary>The named columns, in that order; names the table lacks are left out (not every ablation reports every metric).</summary>
    public static DataFrame Select(DataFrame frame, params string[] columns) =>
        new(columns.Where(c => frame.Columns.IndexOf(c) >= 0).Select(c => frame[c].Clone()));
}
