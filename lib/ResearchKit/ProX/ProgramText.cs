using System.Globalization;
using System.Text;

namespace ResearchKit.ProX;

/// <summary>Canonical program text: the calls as the kit writes them (keyword arguments, so the reference dialect
/// reads them too) and string literals quoted with escapes.</summary>
public static class ProgramText
{
    public const string DropDoc = "drop_doc()";
    public const string KeepDoc = "keep_doc()";
    public const string SkipChunk = "skip_chunk()";
    public const string KeepChunk = "keep_chunk()";

    public static string RemoveLines(long start, long end) =>
        string.Create(CultureInfo.InvariantCulture, $"remove_lines(line_start={start}, line_end={end})");

    public static string RemoveLines(LineRange range) => RemoveLines(range.Start, range.End);

    public static string Normalize(string source, string target) => $"normalize(source_str={Quote(source)}, target_str={Quote(target)})";

    /// <summary>A double-quoted literal that <see cref="ProgramParser"/> reads back as <paramref name="value"/>.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
