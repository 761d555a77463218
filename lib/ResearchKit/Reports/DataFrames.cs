using Microsoft.Data.Analysis;

namespace ResearchKit.Reports;

/// <summary>Row selection on the kit's result tables (arm, domain, metric, condition columns), for notebook cells and reports.</summary>
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

    /// <summary>The named columns, in that order (copies), e.g. an arm column and the metrics a table should show;
    /// names that are missing are skipped when <paramref name="skipMissing"/>, else an error.</summary>
    public static DataFrame Select(DataFrame frame, IEnumerable<string> columns, bool skipMissing = false)
    {
        var picked = new List<DataFrameColumn>();
        foreach (var name in columns)
        {
            if (frame.Columns.IndexOf(name) >= 0) picked.Add(frame[name].Clone());
            else if (!skipMissing)
                throw new ArgumentException($"the table has no column '{name}' (it has: {string.Join(", ", frame.Columns.Select(c => c.Name))})", nameof(columns));
        }
        return new DataFrame(picked);
    }
}
