using System.CommandLine;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk corpus stats|import|sample</c>: look at, normalise and sample corpus shards.</summary>
static class CorpusCommands
{
    public static Command Create() => new("corpus", "Inspect, import and sample corpus shards (.parquet, .jsonl, .jsonl.zst)")
    {
        Stats(), Import(), Sample(),
    };

    static Command Stats()
    {
        var input = new Argument<string>("path") { Description = "file, directory or glob of shards" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = $"also count tokens: {string.Join(", ", TextTokenizers.Names)}" };
        var mapping = new MappingOptions();
        var cmd = new Command("stats", "Documents, characters (and tokens) per domain") { input, tokenizer };
        mapping.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var tok = p.GetValue(tokenizer) is { } name ? TextTokenizers.Create(name) : null;
            var docs = DocumentIds.WarnOnDuplicates(CorpusReader.Read(p.GetValue(input)!, mapping.Get(p)), p.GetValue(input)!);
            var frame = ConsoleProgress.Run(progress => CorpusStats.PerDomain(docs, tok, progress));
            var table = new Table();
            foreach (var c in frame.Columns) table.AddColumn(new TableColumn(c.Name) { Alignment = c.Name == "domain" ? Justify.Left : Justify.Right });
            foreach (var row in frame.Rows)
                table.AddRow(row.Select(v => Markup.Escape(v is long n ? n.ToString("N0") : v?.ToString() ?? "")).ToArray());
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    static Command Import()
    {
        var input = new Argument<string>("input") { Description = "file, directory or glob of shards" };
        var output = new Option<string>("--out") { Description = "output file (.parquet, .jsonl or .jsonl.zst)", Required = true };
        var mapping = new MappingOptions();
        var shards = new ShardOptions();
        var cmd = new Command("import", "Convert shards into one corpus file in our schema (id, text, domain, url, source, meta)") { input, output };
        mapping.AddTo(cmd);
        shards.AddTo(cmd);
        cmd.SetAction(p =>
        {
            if (shards.Shard(p) is { } shard)
            {
                var outcome = ConsoleProgress.Run(progress => CorpusShards.Run(CorpusShards.ImportStage, p.GetValue(input)!, mapping.Get(p), p.GetValue(output)!, shard,
                                                                               unitBytes: shards.UnitBytes(p), progress: progress));
                ShardOptions.Report(outcome, CorpusShards.DirectoryOf(p.GetValue(output)!), p.GetValue(output)!);
                return 0;
            }
            var docs = DocumentIds.WarnOnDuplicates(CorpusReader.Read(p.GetValue(input)!, mapping.Get(p)), p.GetValue(input)!);
            var n = ConsoleProgress.Run(progress => CorpusWriter.Write(p.GetValue(output)!, docs, progress));
            AnsiConsole.MarkupLineInterpolated($"wrote {n:N0} documents to {p.GetValue(output)}");
            return 0;
        });
        return cmd;
    }

    static Command Sample()
    {
        var input = new Argument<string>("input") { Description = "file, directory or glob of shards" };
        var output = new Option<string>("--out") { Description = "output file (.parquet, .jsonl or .jsonl.zst)", Required = true };
        var n = new Option<int>("-n") { Description = "number of documents", Required = true };
        var seed = new Option<long>("--seed") { Description = "random seed", DefaultValueFactory = _ => 0 };
        var uniform = new Option<bool>("--uniform") { Description = "sample uniformly instead of stratifying by domain" };
        var mapping = new MappingOptions();
        var cmd = new Command("sample", "A seeded sample (stratified by domain by default), in corpus order") { input, output, n, seed, uniform };
        mapping.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var docs = CorpusReader.Read(p.GetValue(input)!, mapping.Get(p));
            var sample = CorpusSample.Take(docs, p.GetValue(n), p.GetValue(seed), stratified: !p.GetValue(uniform));
            CorpusWriter.Write(p.GetValue(output)!, sample);
            AnsiConsole.MarkupLineInterpolated($"wrote {sample.Count:N0} documents ({string.Join(", ", sample.GroupBy(d => d.Domain).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}) to {p.GetValue(output)}");
            return 0;
        });
        return cmd;
    }
}
