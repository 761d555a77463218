using System.CommandLine;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using ResearchKit.Corpus;
using ResearchKit.Filters;
using ResearchKit.Pipeline;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk filter</c>: rule baselines (Gopher, C4, FineWeb; datatrove's defaults) over a corpus into a new
/// corpus file (written atomically), with per-step and per-reason statistics; <c>--shard i/n</c> runs one shard.</summary>
static class FilterCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "file, directory or glob of shards" };
        var output = new Option<string>("--out") { Description = "output corpus file (.parquet, .jsonl or .jsonl.zst)", Required = true };
        var rules = new Option<string[]>("--rules")
        {
            Description = $"rule steps in order (default: all): {string.Join(", ", RuleFilters.Names)}",
            AllowMultipleArgumentsPerToken = true,
        };
        var mapping = new MappingOptions();
        var shards = new ShardOptions();
        var cmd = new Command("filter", "Run rule filters (Gopher quality/repetition, C4, FineWeb) over a corpus; print what each removed") { input, output, rules };
        mapping.AddTo(cmd);
        shards.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var names = p.GetValue(rules) is { Length: > 0 } r ? r.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToArray() : RuleFilters.Names.ToArray();
            var pipeline = new DocumentPipeline(names.Select(RuleFilters.Create).ToList());
            return RefineCommands.Run(p, input, output, mapping, shards, "filter", pipeline, new JsonObject { ["rules"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()) });
        });
        return cmd;
    }

    internal static Table ToTable(DataFrame frame)
    {
        var table = new Table();
        foreach (var c in frame.Columns)
            table.AddColumn(new TableColumn(c.Name) { Alignment = c is StringDataFrameColumn ? Justify.Left : Justify.Right });
        foreach (var row in frame.Rows)
            table.AddRow(row.Select(v => Markup.Escape(v switch { long n => n.ToString("N0"), double d => d.ToString("F3"), _ => v?.ToString() ?? "" })).ToArray());
        return table;
    }
}
