using System.CommandLine;
using ResearchKit.Embeddings;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk merge &lt;output&gt;</c>: joins the parts of a sharded stage into its output, once every shard is complete.</summary>
static class MergeCommand
{
    public static Command Create()
    {
        var output = new Argument<string>("output") { Description = "the --out the shards were given (a corpus file, or a tokenize or iclm embed output directory)" };
        var cmd = new Command("merge", "Join the shards of a sharded stage (rk corpus import / rk tokenize / rk iclm embed --shard i/n) into its output; refuses while a shard is missing") { output };
        cmd.SetAction(p =>
        {
            var target = p.GetValue(output)!;
            if (CorpusShards.DirectoryOf(target).Exists)
            {
                var merged = ConsoleProgress.Run(progress => CorpusShards.Merge(target, progress));
                AnsiConsole.MarkupLineInterpolated($"merged {merged.Shards} shards: {merged.Documents:N0} documents -> {merged.Output}");
                if (merged.Transform is { } t)
                    foreach (var row in t.Steps().Rows)
                        AnsiConsole.MarkupLineInterpolated($"  {row[0]}: {row[1]:N0} in, {row[2]:N0} out, {row[3]:N0} dropped, {row[4]:N0} modified");
                return 0;
            }
            // rk tokenize and rk iclm embed both keep their shards in <out>/shards; the manifest says whose.
            if (EmbeddingShards.DirectoryOf(target).ReadManifest() is { Stage: EmbeddingShards.Stage })
            {
                var m = ConsoleProgress.Run(progress => EmbeddingShards.Merge(target, progress));
                AnsiConsole.MarkupLineInterpolated($"merged shards: {m.Rows:N0} documents × {m.Dimension} ({m.Model}) -> {Path.Combine(target, EmbeddingArtifact.FileName)}");
                return 0;
            }
            if (TokenShards.DirectoryOf(target).Exists)
            {
                var s = ConsoleProgress.Run(progress => TokenShards.Merge(target, progress));
                AnsiConsole.MarkupLineInterpolated($"merged shards: {s.Documents:N0} documents, {s.Tokens:N0} tokens, {s.Domains} domains -> {Path.Combine(target, TokenShards.FileName)}");
                return 0;
            }
            throw new DirectoryNotFoundException($"no shards of {target}: neither {CorpusShards.DirectoryOf(target).Root} nor {TokenShards.DirectoryOf(target).Root} holds a shard manifest");
        });
        return cmd;
    }
}
