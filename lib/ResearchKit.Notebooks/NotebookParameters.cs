using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Scripting;

namespace ResearchKit.Notebooks;

/// <summary>Papermill-style parameters: values given on the command line are assigned, in a cell injected after the
/// one tagged <c>parameters</c>, to the variables that cell declares. The declared type decides how a value is read
/// ("3" is an int for <c>int steps</c> but a string for <c>string run</c>).</summary>
public static class NotebookParameters
{
    public const string Tag = "parameters";
    public const string InjectedTag = "injected-parameters";

    /// <summary>Parses <c>k=v</c> pairs (the value may contain '=').</summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"--param '{pair}': expected name=value");
            result[pair[..eq].Trim()] = pair[(eq + 1)..];
        }
        return result;
    }

    /// <summary>The injected cell's source: one assignment per parameter, typed by the variable's declaration.</summary>
    internal static string InjectedSource(IReadOnlyDictionary<string, string> parameters, IEnumerable<ScriptVariable> declared)
    {
        var variables = declared.GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.Last().Type);
        var lines = new List<string> { "// Parameters injected by rk notebook run" };
        foreach (var (name, value) in parameters)
        {
            if (!variables.TryGetValue(name, out var type))
                throw new NotebookCellException($"parameter '{name}' is not declared in the cell tagged '{Tag}' (declared: {string.Join(", ", variables.Keys.Order())})");
            lines.Add($"{name} = {Literal(name, value, type)};");
        }
        return string.Join("\n", lines);
    }

    static string Literal(string name, string value, Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var inv = CultureInfo.InvariantCulture;
        try
        {
            return t switch
            {
                _ when t == typeof(string) => SymbolDisplay.FormatLiteral(value, quote: true),
                _ when t == typeof(bool) => bool.Parse(value) ? "true" : "false",
                _ when t == typeof(int) => int.Parse(value, inv).ToString(inv),
                _ when t == typeof(long) => long.Parse(value, inv).ToString(inv) + "L",
                _ when t == typeof(double) => double.Parse(value, inv).ToString("R", inv) + "d",
                _ when t == typeof(float) => float.Parse(value, inv).ToString("R", inv) + "f",
                _ when t == typeof(decimal) => decimal.Parse(value, inv).ToString(inv) + "m",
                _ when t == typeof(object) => UntypedLiteral(value),
                _ => throw new NotebookCellException($"parameter '{name}' has type {type.Name}; only string, bool, int, long, float, double and decimal can be set from the command line"),
            };
        }
        catch (FormatException) { throw new NotebookCellException($"parameter '{name}' = '{value}' is not a valid {t.Name}"); }
        catch (OverflowException) { throw new NotebookCellException($"parameter '{name}' = '{value}' is out of range for {t.Name}"); }
    }

    /// <summary>For untyped variables the literal decides: integers, reals, booleans, else a string.</summary>
    internal static string UntypedLiteral(string value)
    {
        var inv = CultureInfo.InvariantCulture;
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, inv, out var l)) return l is >= int.MinValue and <= int.MaxValue ? l.ToString(inv) : l.ToString(inv) + "L";
        if (double.TryParse(value, NumberStyles.Float, inv, out var d)) return d.ToString("R", inv) + "d";
        if (value is "true" or "false") return value;
        return SymbolDisplay.FormatLiteral(value, quote: true);
    }
}
