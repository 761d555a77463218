using System.Text.Json.Nodes;

namespace ResearchKit.Notebooks;

public enum CellKind { Code, Markdown, Raw }

/// <summary>One output of a code cell, in Jupyter's terms: a MIME bundle (<c>display_data</c>, <c>execute_result</c>),
/// a <c>stream</c> of text, or an <c>error</c>.</summary>
public sealed class CellOutput
{
    public required string OutputType { get; init; }
    /// <summary>MIME type -> content (text/plain, text/html) for display_data and execute_result.</summary>
    public Dictionary<string, string> Data { get; init; } = new();
    /// <summary>stdout or stderr, for stream outputs.</summary>
    public string? StreamName { get; init; }
    public string? Text { get; set; }
    public string? ErrorName { get; init; }
    public string? ErrorValue { get; init; }
    public int? ExecutionCount { get; init; }

    /// <summary>For a chart output: the Plotly figure JSON and title it was made from, so the runner can add a static
    /// image once all cells have run (<see cref="ChartOutputs"/>). Not saved in the notebook.</summary>
    internal string? FigureJson { get; set; }
    internal string? ChartTitle { get; set; }

    public static CellOutput Stream(string name, string text) => new() { OutputType = "stream", StreamName = name, Text = text };
    public static CellOutput Error(string name, string value) => new() { OutputType = "error", ErrorName = name, ErrorValue = value };
}

/// <summary>A notebook cell; unknown metadata is kept as JSON so that reading and writing round-trips.</summary>
public sealed class NotebookCell
{
    public string? Id { get; set; }
    public CellKind Kind { get; init; }
    public string Source { get; set; } = "";
    public JsonObject Metadata { get; init; } = new();
    public List<CellOutput> Outputs { get; init; } = new();
    public int? ExecutionCount { get; set; }

    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray tags ? tags.Select(t => t?.GetValue<string>() ?? "").ToList() : [];

    /// <summary>The .NET Interactive kernel of a code cell ("csharp" unless its metadata or a leading magic says otherwise).</summary>
    public string Language
    {
        get
        {
            var first = Source.TrimStart().Split('\n', 2)[0].Trim();
            if (first.StartsWith("#!") && !first.Contains(' ')) return first[2..] is "c#" or "C#" ? "csharp" : first[2..];
            return (string?)Metadata["polyglot_notebook"]?["kernelName"]
                   ?? (string?)Metadata["dotnet_interactive"]?["language"] ?? "csharp";
        }
    }

    public static NotebookCell Code(string source, params string[] tags)
    {
        var cell = new NotebookCell
        {
            Kind = CellKind.Code, Source = source,
            Metadata = new JsonObject
            {
                ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" },
                ["polyglot_notebook"] = new JsonObject { ["kernelName"] = "csharp" },
            },
        };
        if (tags.Length > 0) cell.Metadata["tags"] = new JsonArray(tags.Select(t => (JsonNode)t).ToArray());
        return cell;
    }

    public static NotebookCell Markdown(string source) => new() { Kind = CellKind.Markdown, Source = source };
}

/// <summary>A Jupyter (nbformat 4) notebook with .NET Interactive C# metadata.</summary>
public sealed class Notebook
{
    public List<NotebookCell> Cells { get; init; } = new();
    public JsonObject Metadata { get; init; } = DefaultMetadata();
    public int FormatMinor { get; init; } = 5;

    /// <summary>Kernel metadata VS Code's Polyglot Notebooks extension writes for a C# notebook.</summary>
    public static JsonObject DefaultMetadata() => new()
    {
        ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        ["language_info"] = new JsonObject { ["name"] = "polyglot-notebook" },
        ["polyglot_notebook"] = new JsonObject
        {
            ["kernelInfo"] = new JsonObject
            {
                ["defaultKernelName"] = "csharp",
                ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
            },
        },
    };
}
