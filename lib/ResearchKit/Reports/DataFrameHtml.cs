using System.Globalization;
using Microsoft.Data.Analysis;

namespace ResearchKit.Reports;

/// <summary>Renders a <see cref="DataFrame"/> as an HTML table: cells escaped, numbers right-aligned and formatted
/// invariantly with a fixed number of significant digits so tables read the same on every machine. The table sits in
/// a box that scrolls sideways (inline style, so it also scrolls in notebook front ends), so wide tables are never cut off.</summary>
public static class DataFrameHtml
{
    public static string ToHtml(DataFrame frame, int maxRows = 50, int significantDigits = 4)
    {
        var w = new StringWriter();
        w.Write("<div class=\"rk-scroll\" style=\"overflow-x:auto\"><table class=\"rk-table\"><thead><tr>");
        foreach (var column in frame.Columns) w.Write($"<th>{HtmlString.Escape(column.Name)}</th>");
        w.Write("</tr></thead><tbody>");
        long shown = Math.Min(frame.Rows.Count, maxRows);
        for (long r = 0; r < shown; r++)
        {
            w.Write("<tr>");
            foreach (var column in frame.Columns)
            {
                var value = column[r];
                w.Write(IsNumber(value) ? $"<td class=\"num\">{FormatNumber(value!, significantDigits)}</td>" : $"<td>{HtmlString.Escape(value?.ToString())}</td>");
            }
            w.Write("</tr>");
        }
        w.Write("</tbody></table></div>");
        if (frame.Rows.Count > shown) w.Write($"<p class=\"rk-note\">{shown} of {frame.Rows.Count} rows shown</p>");
        return w.ToString();
    }

    static bool IsNumber(object? v) => v is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    /// <summary>Integers with thousands separators from 10,000 on ("4096", "614,400"); other numbers with
    /// <paramref name="digits"/> significant digits ("3.142", "0.0001235", "1.5E+06").</summary>
    public static string FormatNumber(object value, int digits = 4) => value switch
    {
        float f => FormatDouble(f, digits),
        double d => FormatDouble(d, digits),
        decimal m => FormatDouble((double)m, digits),
        sbyte or byte or short or ushort or int or uint or long or ulong => FormatInteger(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
        IFormattable i => i.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    static string FormatInteger(decimal n) =>
        n.ToString(Math.Abs(n) >= 10_000 ? "#,0" : "0", CultureInfo.InvariantCulture);

    static string FormatDouble(double d, int digits)
    {
        if (double.IsNaN(d) || double.IsInfinity(d)) return d.ToString(CultureInfo.InvariantCulture);
        if (d == Math.Floor(d) && Math.Abs(d) < 1e15) return FormatInteger((decimal)d);
        double abs = Math.Abs(d);
        if (abs >= 1e6 || abs < 1e-4) return d.ToString($"G{digits}", CultureInfo.InvariantCulture);
        // Fixed notation with `digits` significant digits, trailing zeros trimmed.
        int decimals = Math.Max(0, digits - 1 - (int)Math.Floor(Math.Log10(abs)));
        return Math.Round(d, Math.Min(decimals, 15)).ToString("0." + new string('#', Math.Max(1, decimals)), CultureInfo.InvariantCulture);
    }
}
