using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Notebooks;

/// <summary>Reads and writes <c>.ipynb</c> files. Output is stable so diffs stay small: keys sorted, 1-space indent,
/// multi-line strings as arrays of lines, UTF-8 without BOM, "\n" line ends and a trailing newline (as Jupyter writes).</summary>
public static class NotebookFile
{
    public static Notebook Read(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>A notebook from its JSON text; <paramref name="path"/> names it in errors.</summary>
    public static Notebook Parse(string json, string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new DataFormatException(path, null, null, $"not valid JSON: {e.Message}", e); }
        if (root is not JsonObject nb) throw new DataFormatException(path, null, null, "a notebook is a JSON object");
        if ((int?)nb["nbformat"] is not 4) throw new DataFormatException(path, null, "nbformat", "only nbformat 4 notebooks are supported");
        if (nb["cells"] is not JsonArray cells) throw new DataFormatException(path, null, "cells", "missing or not an array");
        var notebook = new Notebook
        {
            Metadata = nb["metadata"]?.DeepClone() as JsonObject ?? new JsonObject(),
            FormatMinor = (int?)nb["nbformat_minor"] ?? 5,
        };
        for (int i = 0; i < cells.Count; i++)
            notebook.Cells.Add(ReadCell(path, i + 1, cells[i] as JsonObject ?? throw new DataFormatException(path, i + 1, null, "a cell is a JSON object")));
        return notebook;
    }

    static NotebookCell ReadCell(string path, int index, JsonObject c)
    {
        var kind = (string?)c["cell_type"] switch
        {
            "code" => CellKind.Code,
            "markdown" => CellKind.Markdown,
            "raw" => CellKind.Raw,
            var other => throw new DataFormatException(path, index, "cell_type", $"unknown cell type '{other}'"),
        };
        var cell = new NotebookCell
        {
            Id = (string?)c["id"], Kind = kind,
            Source = JoinLines(path, index, "source", c["source"]),
            Metadata = c["metadata"]?.DeepClone() as JsonObject ?? new JsonObject(),
            ExecutionCount = (int?)c["execution_count"],
        };
        if (c["outputs"] is JsonArray outputs)
            foreach (var o in outputs.OfType<JsonObject>())
                cell.Outputs.Add(ReadOutput(path, index, o));
        return cell;
    }

    static CellOutput ReadOutput(string path, int index, JsonObject o)
    {
        var type = (string?)o["output_type"] ?? throw new DataFormatException(path, index, "outputs.output_type", "missing");
        var output = new CellOutput
        {
            OutputType = type,
            StreamName = (string?)o["name"],
            Text = o["text"] is null ? null : JoinLines(path, index, "outputs.text", o["text"]),
            ErrorName = (string?)o["ename"],
            ErrorValue = (string?)o["evalue"],
            ExecutionCount = (int?)o["execution_count"],
        };
        if (o["data"] is JsonObject data)
            foreach (var (mime, value) in data)
                output.Data[mime] = value is JsonObject or null ? value?.ToJsonString() ?? "" : JoinLines(path, index, $"outputs.data.{mime}", value);
        return output;
    }

    static string JoinLines(string path, int index, string field, JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => (string?)l ?? "")),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => throw new DataFormatException(path, index, field, "expected a string or an array of strings"),
    };

    public static void Write(Notebook notebook, string path) => AtomicFile.WriteAllText(path, Format(notebook));

    /// <summary>The file's exact text (UTF-8 without BOM when written by <see cref="Write"/>).</summary>
    public static string Format(Notebook notebook)
    {
        var cells = new JsonArray();
        for (int i = 0; i < notebook.Cells.Count; i++) cells.Add(CellJson(notebook.Cells[i], i));
        var root = new JsonObject
        {
            ["cells"] = cells,
            ["metadata"] = notebook.Metadata.DeepClone(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = notebook.FormatMinor,
        };
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = true, IndentSize = 1, NewLine = "\n",
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
            WriteSorted(writer, root);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    static JsonObject CellJson(NotebookCell cell, int position)
    {
        var json = new JsonObject
        {
            ["cell_type"] = cell.Kind.ToString().ToLowerInvariant(),
            ["id"] = cell.Id ?? $"cell-{position + 1}",
            ["metadata"] = cell.Metadata.DeepClone(),
            ["source"] = Lines(cell.Source),
        };
        if (cell.Kind != CellKind.Code) return json;
        json["execution_count"] = cell.ExecutionCount;
        json["outputs"] = new JsonArray(cell.Outputs.Select(OutputJson).ToArray());
        return json;
    }

    static JsonNode OutputJson(CellOutput o)
    {
        var json = new JsonObject { ["output_type"] = o.OutputType };
        switch (o.OutputType)
        {
            case "stream":
                json["name"] = o.StreamName ?? "stdout";
                json["text"] = Lines(o.Text ?? "");
                break;
            case "error":
                json["ename"] = o.ErrorName ?? "";
                json["evalue"] = o.ErrorValue ?? "";
                json["traceback"] = new JsonArray();
                break;
            default:
                var data = new JsonObject();
                // Text as arrays of lines (small diffs); base64 images as one string, as Jupyter writes them.
                foreach (var (mime, value) in o.Data) data[mime] = mime.StartsWith("image/", StringComparison.Ordinal) && mime != "image/svg+xml" ? value : Lines(value);
                json["data"] = data;
                json["metadata"] = new JsonObject();
                if (o.OutputType == "execute_result") json["execution_count"] = o.ExecutionCount;
                break;
        }
        return json;
    }

    /// <summary>Jupyter's multi-line string: one array element per line, each but the last keeping its "\n".</summary>
    static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        text = text.ReplaceLineEndings("\n");
        while (start < text.Length)
        {
            int nl = text.IndexOf('\n', start);
            int end = nl < 0 ? text.Length : nl + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    static void WriteSorted(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    WriteSorted(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray arr:
                writer.WriteStartArray();
                foreach (var item in arr) WriteSorted(writer, item);
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
