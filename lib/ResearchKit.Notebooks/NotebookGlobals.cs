using ResearchKit.Reports;

namespace ResearchKit.Notebooks;

/// <summary>What every cell sees besides its own variables, matching the names .NET Interactive's C# kernel gives
/// (<c>display</c>, <c>HTML</c>) so the same notebook runs in VS Code and headless.</summary>
public class NotebookGlobals
{
    internal Func<CellOutput, DisplayedValue> Show { get; set; } = _ => throw new InvalidOperationException("display() outside a running cell");

    /// <summary>Adds an output to the running cell; the returned handle can replace it later (live progress).</summary>
    public DisplayedValue display(object? value) => Show(OutputFormatter.Output("display_data", value));

    public HtmlString HTML(string html) => new(html);
}

/// <summary>A displayed output; <see cref="Update"/> replaces its content (the last update is what a headless run keeps).</summary>
public sealed class DisplayedValue
{
    readonly CellOutput _output;
    readonly object _gate;

    internal DisplayedValue(CellOutput output, object gate) { _output = output; _gate = gate; }

    public void Update(object? value)
    {
        var data = OutputFormatter.Format(value);
        lock (_gate)
        {
            _output.Data.Clear();
            foreach (var (mime, content) in data) _output.Data[mime] = content;
            OutputFormatter.Remember(_output, value);
        }
    }
}
