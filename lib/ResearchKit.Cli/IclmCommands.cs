using System.CommandLine;
using ResearchKit.Embeddings;
using ResearchKit.Experiments;
using ResearchKit.Packing.Iclm;
using ResearchKit.Pipeline;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk iclm embed|order</c>: the embedding stage over a corpus (shardable: <c>--shard i/n</c>, then
/// <c>rk merge</c>) and the ICLM or cluster order from a corpus and its embeddings.</summary>
static class IclmCommands
{
    public static Command Create() => new("iclm", "In-Context Pretraining: embed a corpus (shardable) and order its documents") { Embed(), Order() };

    static Command Embed()
    {
        var input = new Argument<string>("input") { Description = "corpus file, directory or glob" };
        var output = new Option<string>("--out") { Description = $"output directory; the embeddings are <out>/{EmbeddingArtifact.FileName}", Required = true };
        var embedder = new EmbedderOptions();
        var dimension = new Option<int?>("--dimension") { Description = "the dimension the ONNX model must produce (refused otherwise)" };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "tokens per document (MiniLM: 256 word pieces by default)" };
        var threads = new Option<int>("--threads") { Description = "ONNX threads (0 = all cores); pin it when shards run on machines with different core counts, for bit-identical rows" };
        var mapping = new MappingOptions();
        var shards = new ShardOptions();
        var cmd = new Command("embed", "Embed every document of a corpus (one row per document, in corpus order)") { input, output };
        embedder.AddTo(cmd);
        foreach (var o in new Option[] { dimension, maxTokens, threads }) cmd.Options.Add(o);
        mapping.AddTo(cmd);
        shards.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var (spec, ckpt) = embedder.Get(p, p.GetValue(maxTokens), p.GetValue(dimension));
            spec = spec with { Threads = p.GetValue(threads) };
            var outDir = p.GetValue(output)!;
            if (shards.Shard(p) is { } shard)
            {
                var outcome = ConsoleProgress.Run(progress => EmbeddingShards.Run(p.GetValue(input)!, mapping.Get(p), spec, outDir, shard, ckpt, progress));
                var s = outcome.Stats;
                var directory = EmbeddingShards.DirectoryOf(outDir);
                if (outcome.Skipped) AnsiConsole.MarkupLineInterpolated($"shard {outcome.Shard} was already complete ({s["documents"]} documents); skipped");
                else AnsiConsole.MarkupLineInterpolated($"shard {outcome.Shard}: {s["documents"]} documents, {s["dimension"]}-d, in {s["seconds"]} s -> {directory.Root}");
                var left = directory.Unfinished(shard.Count);
                if (left.Count == 0) AnsiConsole.MarkupLineInterpolated($"all {shard.Count} shards are complete: rk merge {outDir}");
                else AnsiConsole.MarkupLineInterpolated($"{left.Count} of {shard.Count} shards still to run ({ShardDirectory.Ranges(left)})");
                return 0;
            }
            Directory.CreateDirectory(outDir);
            var m = ConsoleProgress.Run(progress => EmbeddingShards.Embed(p.GetValue(input)!, mapping.Get(p), spec, outDir, ckpt, progress));
            int empty = m.ZeroRowCount();
            AnsiConsole.MarkupLineInterpolated($"{m.Rows:N0} documents × {m.Dimension} ({m.Model}){(empty > 0 ? $", {empty:N0} with nothing to embed (zero rows)" : "")} -> {Path.Combine(outDir, EmbeddingArtifact.FileName)}");
            return 0;
        });
        return cmd;
    }

    static Command Order()
    {
        var input = new Argument<string>("corpus") { Description = "the corpus the embeddings were made from (a Parquet file in the kit's layout)" };
        var embeddings = new Option<string>("--embeddings") { Description = "its embeddings (rk iclm embed)", Required = true };
        var output = new Option<string>("--out") { Description = "output directory: order.bin, order_metrics.json, order_stats.parquet", Required = true };
        var clusters = new Option<bool>("--clusters") { Description = "cluster concatenation (k-means) instead of the ICLM traversal" };
        var clusterSize = new Option<int>("--cluster-size") { Description = "documents per cluster on average (--clusters)", DefaultValueFactory = _ => 21 };
        var seed = new Option<long>("--seed") { Description = "k-means seed (--clusters)", DefaultValueFactory = _ => 1 };
        var k = new Option<int>("--k") { Description = "neighbours per document in the kNN graph", DefaultValueFactory = _ => 50 };
        var threshold = new Option<double?>("--threshold") { Description = "semantic dedup cosine threshold (default 0.95; --no-dedup turns it off)" };
        var noDedup = new Option<bool>("--no-dedup") { Description = "keep near-duplicates" };
        var lexical = new Option<bool>("--lexical") { Description = "also the reference's 3-gram check over the finished order" };
        var reference = new Option<bool>("--reference") { Description = "the reference code's behaviour: lexical dedup only, sort and merge (crashes fixed)" };
        var cmd = new Command("order", "The ICLM (or cluster) document order of a corpus from its embeddings") { input, embeddings, output, clusters, clusterSize, seed, k, threshold, noDedup, lexical, reference };
        cmd.SetAction(p =>
        {
            var corpus = new CorpusArtifact(p.GetValue(input)!);
            var vectors = new EmbeddingArtifact(p.GetValue(embeddings)!);
            var (order, metrics) = p.GetValue(clusters)
                ? ConsoleProgress.Run(progress => ClusterOrderStage.Compute(corpus, vectors, new ClusterOrderOptions(p.GetValue(clusterSize), Seed: p.GetValue(seed)), progress))
                : ConsoleProgress.Run(progress =>
                {
                    var options = p.GetValue(reference) ? IclmOptions.Reference : new IclmOptions();
                    options = options with { Neighbours = p.GetValue(k) };
                    if (p.GetValue(noDedup)) options = options with { SemanticDedupThreshold = null };
                    else if (p.GetValue(threshold) is { } t) options = options with { SemanticDedupThreshold = t };
                    if (p.GetValue(lexical)) options = options with { LexicalDedup = true };
                    return IclmOrderStage.Compute(corpus, vectors, options, progress);
                });
            var outDir = p.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var written = DocumentOrderArtifact.Write(outDir, order, metrics);
            var table = new Table().AddColumns("statistic", "value");
            foreach (var (name, value) in metrics) table.AddRow(Markup.Escape(name), value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"{order.Length:N0} documents in order -> {written.Path}");
            return 0;
        });
        return cmd;
    }
}
