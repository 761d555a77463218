using System.CommandLine;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk tokenize</c>: corpus shards to a memory-mappable token shard (&lt;out&gt;/tokens.rkt).</summary>
static class TokenizeCommand
{
    public const string ShardName = TokenShards.FileName;

    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "corpus file, directory or glob" };
        var mapping = new MappingOptions();
        var output = new Option<string>("--out") { Description = $"output directory; the shard is <out>/{ShardName}", Required = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = string.Join(", ", TextTokenizers.Names), DefaultValueFactory = _ => "cl100k_base" };
        var compact = new Option<bool>("--compact-vocab") { Description = "renumber the ids the corpus uses densely (one extra pass over the corpus)" };
        var shards = new ShardOptions();
        var cmd = new Command("tokenize", "Tokenize a corpus on all cores into a token shard") { input, output, tokenizer, compact };
        mapping.AddTo(cmd);
        shards.AddTo(cmd);
        cmd.SetAction(p =>
        {
            OutputFolder.Require(p.GetValue(output)!, "--out");
            if (shards.Shard(p) is { } shard)
            {
                var outcome = ConsoleProgress.Run(progress => TokenShards.Run(p.GetValue(input)!, mapping.Get(p), TextTokenizers.Create(p.GetValue(tokenizer)!),
                    p.GetValue(output)!, shard, p.GetValue(compact), shards.UnitBytes(p), progress));
                ShardOptions.Report(outcome, TokenShards.DirectoryOf(p.GetValue(output)!), p.GetValue(output)!);
                return 0;
            }
            var docs = DocumentIds.WarnOnDuplicates(CorpusReader.Read(p.GetValue(input)!, mapping.Get(p)), p.GetValue(input)!);
            var tok = TextTokenizers.Create(p.GetValue(tokenizer)!);
            var path = Path.Combine(p.GetValue(output)!, ShardName);
            var summary = ConsoleProgress.Run(progress =>
            {
                if (p.GetValue(compact)) tok = CompactTokenizer.Build(tok, docs.Select(d => d.Text), progress);
                return TokenShard.Tokenize(docs, tok, path, progress: progress);
            });
            AnsiConsole.MarkupLineInterpolated($"{summary.Documents:N0} documents, {summary.Tokens:N0} tokens ({(double)summary.Characters / Math.Max(1, summary.Tokens):F2} chars/token), {summary.Domains} domains, tokenizer {tok.Name} (vocab {tok.VocabSize:N0}) -> {path}");
            return 0;
        });
        return cmd;
    }
}
