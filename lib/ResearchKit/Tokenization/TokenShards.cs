using System.Text.Json.Nodes;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Tokenization;

/// <summary>
/// <c>rk tokenize --shard i/n</c>: shard i tokenizes the work units i, i+n, ... of the corpus
/// (<see cref="CorpusUnit"/>) into <c>&lt;out&gt;/shards/parts/part-i-of-n.rkt</c>; <see cref="Merge"/> joins the parts
/// into <c>&lt;out&gt;/tokens.rkt</c>, byte for byte the shard <see cref="TokenShard.Tokenize"/> writes in one process.
/// Vocabulary compaction needs every shard's ids, so sharded runs tokenize with the base tokenizer and the merge
/// compacts (the same ids a single process would collect, since it collects them from the same texts).
/// </summary>
public static class TokenShards
{
    public const string Stage = "tokenize";
    public const string FileName = "tokens.rkt";
    internal const string Kind = "tokens";

    public static ShardDirectory DirectoryOf(string outputDirectory) => new(Path.Combine(Path.GetFullPath(outputDirectory), "shards"));

    public static ShardOutcome Run(string input, ColumnMapping mapping, TextTokenizer tokenizer, string outputDirectory, ShardSpec shard,
                                   bool compactVocabulary = false, long unitBytes = CorpusUnit.DefaultUnitBytes, IProgress<WorkProgress>? progress = null)
    {
        if (tokenizer is CompactTokenizer) throw new ArgumentException("give sharded runs the base tokenizer; the merge compacts the vocabulary", nameof(tokenizer));
        var files = CorpusReader.Files(input);
        var config = new JsonObject
        {
            ["kind"] = Kind,
            ["input"] = CorpusUnit.Describe(files, unitBytes),
            ["mapping"] = System.Text.Json.JsonSerializer.SerializeToNode(mapping),
            ["tokenizer"] = JsonNode.Parse(TextTokenizers.Describe(tokenizer)),
            ["compact_vocab"] = compactVocabulary,
        };
        return ShardRunner.Run(DirectoryOf(outputDirectory), Stage, shard, config, work =>
        {
            var units = CorpusUnit.Plan(files, unitBytes).Where(u => shard.Owns(u.Index)).ToList();
            var written = new List<(int Unit, long Items)>();
            var perFile = new DocumentsPerFile(files);
            IEnumerable<Document> Documents()
            {
                foreach (var unit in units)
                {
                    long read = 0;
                    foreach (var d in unit.Read(mapping)) { read++; yield return d; }
                    written.Add((unit.Index, read));
                    perFile.Add(unit.File, read);
                }
            }
            var summary = TokenShard.Tokenize(Documents(), tokenizer, work.PartPath(".rkt"), progress: progress);
            var result = new JsonObject
            {
                ["kind"] = Kind,
                ["documents"] = summary.Documents, ["tokens"] = summary.Tokens, ["characters"] = summary.Characters,
                ["units"] = ShardUnits.ToJson(written),
            };
            perFile.AddTo(result);
            return result;
        }, progress);
    }

    /// <summary>Joins every shard's part into <c>&lt;outputDirectory&gt;/tokens.rkt</c> (atomically), in corpus order;
    /// compacts the vocabulary when the shards were started with it.</summary>
    public static TokenizeSummary Merge(string outputDirectory, IProgress<WorkProgress>? progress = null)
    {
        var directory = DirectoryOf(outputDirectory);
        var stats = directory.RequireComplete(Stage);
        var manifest = directory.ReadManifest()!;
        DocumentsPerFile.RequireEveryFile(manifest.Config, stats);
        var order = ShardUnits.InOrder(stats);
        int n = stats.Count;
        var paths = Enumerable.Range(0, n).Select(i => directory.PartPath(new ShardSpec(i, n), ".rkt")).ToArray();
        var parts = new List<MappedTokenDataset>();
        try
        {
            foreach (var p in paths) parts.Add(TokenShard.Open(p));
            var tokenizer = TextTokenizers.FromDescription(manifest.Config["tokenizer"]!.ToJsonString());
            for (int i = 0; i < n; i++)
            {
                if (parts[i].TokenizerDescription != TextTokenizers.Describe(tokenizer))
                    throw new DataFormatException(paths[i], null, "tokenizer", $"tokenized with {parts[i].TokenizerName}, the manifest says {tokenizer.Name}");
                if (parts[i].DocumentCount != stats[i]["documents"]!.GetValue<long>())
                    throw new DataFormatException(paths[i], null, "documents", $"holds {parts[i].DocumentCount} documents, its stats say {stats[i]["documents"]}");
            }
            Func<int, int> map = id => id;
            if (manifest.Config["compact_vocab"]?.GetValue<bool>() == true)
            {
                var used = new bool[tokenizer.VocabSize];
                foreach (var part in parts)
                    for (int d = 0; d < part.DocumentCount; d++)
                        foreach (var id in part.Body(d)) used[id] = true;
                var compact = CompactTokenizer.FromUsedIds(tokenizer, used);
                var dense = new int[tokenizer.VocabSize];
                for (int id = 0; id < dense.Length; id++) dense[id] = compact.CompactId(id);
                tokenizer = compact;
                map = id => dense[id];
            }

            var target = Path.Combine(outputDirectory, FileName);
            var next = new int[n];
            TokenizeSummary summary = default;
            AtomicFile.Write(target, (Stream s) =>
            {
                var w = new TokenShardWriter(s, tokenizer);
                long chars = 0;
                var prefix = new List<int>();
                var body = new List<int>();
                foreach (var (shard, items) in order)
                    for (long k = 0; k < items; k++)
                    {
                        var part = parts[shard];
                        int d = next[shard]++;
                        prefix.Clear(); body.Clear();
                        foreach (var id in part.Prefix(d)) prefix.Add(map(id));
                        foreach (var id in part.Body(d)) body.Add(map(id));
                        w.Add(part.Domains[part.DomainOf(d)], System.Runtime.InteropServices.CollectionsMarshal.AsSpan(prefix), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(body));
                        if (w.Documents % 1000 == 0) progress?.Report(new WorkProgress("merge", w.Documents, null, $"{w.Tokens:N0} tokens"));
                    }
                w.Finish();
                chars = stats.Sum(st => st["characters"]!.GetValue<long>());
                summary = new TokenizeSummary(w.Documents, w.Tokens, w.PrefixTokens, chars, w.DomainCount);
                progress?.Report(new WorkProgress("merge", w.Documents, w.Documents, $"{w.Tokens:N0} tokens"));
            });
            return summary;
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }
}
