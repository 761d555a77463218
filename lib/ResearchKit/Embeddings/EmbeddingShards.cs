using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.Embeddings;

/// <summary>
/// <c>rk iclm embed --shard i/n</c>: the embedding stage over a corpus, split the datatrove way
/// (<see cref="ShardRunner"/>). The work units are runs of <see cref="BatchedEmbedder.ChunkSize"/> documents in corpus
/// order (unit u = documents [u·4096, (u+1)·4096)); shard i embeds units i, i+n, ... and writes them as one
/// <see cref="EmbeddingMatrix"/> part under <c>&lt;out&gt;/shards/</c>. The embedders batch within such chunks only, so
/// every unit gets the floats a single process gives it, and <see cref="Merge"/> writes <c>&lt;out&gt;/embeddings.emb</c>
/// byte for byte as <see cref="Embed"/> does (given the same thread count: pin <see cref="EmbedderSpec.Threads"/> when
/// shards run on machines with different core counts). Each shard reads the whole corpus (texts are cheap next to the
/// model) and keeps its units.
/// </summary>
public static class EmbeddingShards
{
    public const string Stage = "embed";
    internal const string Kind = "embeddings";
    const string PartExtension = ".emb";

    public static ShardDirectory DirectoryOf(string outputDirectory) => new(Path.Combine(Path.GetFullPath(outputDirectory), "shards"));

    /// <summary>The whole corpus in one process, into <c>&lt;out&gt;/embeddings.emb</c>, unit by unit as the shards do.</summary>
    /// <param name="checkpoint">The trained model a <see cref="GptEmbedding"/> reads.</param>
    /// <param name="unitDocuments">Documents per work unit; the default (the embedders' chunk) gives the floats of one
    /// <see cref="ITextEmbedder.Embed"/> call over the whole corpus, as the embed stage makes.</param>
    public static EmbeddingMatrix Embed(string input, ColumnMapping mapping, EmbedderSpec embedder, string outputDirectory, string? checkpoint = null,
                                        IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default, int unitDocuments = BatchedEmbedder.ChunkSize)
    {
        using var e = embedder.Create(checkpoint);
        var (matrix, _, _) = EmbedUnits(CorpusReader.Read(input, mapping).Select(d => d.Text), e, unitDocuments, ShardSpec.Single, progress, cancellation);
        matrix.Write(Path.Combine(outputDirectory, EmbeddingArtifact.FileName));
        return matrix;
    }

    /// <summary>Runs (or skips, when finished) one shard.</summary>
    public static ShardOutcome Run(string input, ColumnMapping mapping, EmbedderSpec embedder, string outputDirectory, ShardSpec shard, string? checkpoint = null,
                                   IProgress<WorkProgress>? progress = null, CancellationToken cancellation = default, int unitDocuments = BatchedEmbedder.ChunkSize)
    {
        if (unitDocuments < 1) throw new ArgumentOutOfRangeException(nameof(unitDocuments), unitDocuments, "a unit holds at least one document");
        var files = CorpusReader.Files(input);
        var config = new JsonObject
        {
            ["kind"] = Kind,
            ["input"] = CorpusUnit.Describe(files, CorpusUnit.DefaultUnitBytes),
            ["mapping"] = JsonSerializer.SerializeToNode(mapping),
            ["embedder"] = JsonSerializer.SerializeToNode(embedder, KitJson.Hashing),
            ["model"] = checkpoint is null ? embedder.ModelIdentity : "checkpoint sha256:" + ContentFingerprint.OfFile(checkpoint),
            ["unit_documents"] = unitDocuments,
        };
        return ShardRunner.Run(DirectoryOf(outputDirectory), Stage, shard, config, work =>
        {
            using var e = embedder.Create(checkpoint);
            var (matrix, units, empty) = EmbedUnits(CorpusReader.Read(input, mapping).Select(d => d.Text), e, unitDocuments, shard, progress, cancellation);
            matrix.Write(work.PartPath(PartExtension));
            return new JsonObject
            {
                ["kind"] = Kind,
                ["documents"] = matrix.Rows,
                ["dimension"] = matrix.Dimension,
                ["model_name"] = matrix.Model,
                ["empty_documents"] = empty,
                ["units"] = ShardUnits.ToJson(units),
            };
        }, progress);
    }

    /// <summary>Embeds the units a shard owns (unit u = texts [u·size, (u+1)·size)), each with its own embedder call,
    /// and returns their rows in unit order, with the text fingerprint of those texts.</summary>
    static (EmbeddingMatrix Matrix, List<(int Unit, long Items)> Units, long Empty) EmbedUnits(IEnumerable<string> texts, ITextEmbedder e, int unitDocuments,
        ShardSpec shard, IProgress<WorkProgress>? progress, CancellationToken cancellation)
    {
        var units = new List<(int Unit, long Items)>();
        var owned = new List<string>();
        var rows = new List<float[]>();
        var unit = new List<string>(unitDocuments);
        int index = 0;
        long empty = 0;
        void Close()
        {
            if (shard.Owns(index))
            {
                var m = e.EmbedChecked(unit, null, cancellation);
                rows.Add(m.Data);
                empty += m.ZeroRowCount();
                owned.AddRange(unit);
                units.Add((index, unit.Count));
                progress?.Report(new WorkProgress($"embed shard {shard}", owned.Count, null, e.Name));
            }
            unit.Clear();
            index++;
        }
        foreach (var text in texts)
        {
            unit.Add(text);
            if (unit.Count == unitDocuments) Close();
        }
        if (unit.Count > 0) Close();
        var data = new float[(long)owned.Count * e.Dimension];
        long at = 0;
        foreach (var r in rows) { r.CopyTo(data, at); at += r.LongLength; }
        return (new EmbeddingMatrix(owned.Count, e.Dimension, data, e.Name, EmbeddingMatrix.FingerprintOf(owned)), units, empty);
    }

    /// <summary>Joins every shard's rows into <c>&lt;out&gt;/embeddings.emb</c> (atomically), in corpus order, with the
    /// text fingerprint of the whole corpus (read again from the manifest's input).</summary>
    /// <exception cref="InvalidOperationException">A shard is missing or of another count.</exception>
    /// <exception cref="DataFormatException">A part disagrees with its stats or with the other parts.</exception>
    public static EmbeddingMatrix Merge(string outputDirectory, IProgress<WorkProgress>? progress = null)
    {
        var directory = DirectoryOf(outputDirectory);
        var stats = directory.RequireComplete(Stage);
        var manifest = directory.ReadManifest()!;
        if (manifest.Config["kind"]?.GetValue<string>() != Kind)
            throw new InvalidOperationException($"{directory.Root} holds shards of '{manifest.Stage}', which are not embeddings");
        int n = stats.Count;
        var paths = Enumerable.Range(0, n).Select(i => directory.PartPath(new ShardSpec(i, n), PartExtension)).ToArray();
        var parts = paths.Select(EmbeddingMatrix.Read).ToArray();
        for (int i = 0; i < n; i++)
        {
            if (parts[i].Rows != stats[i]["documents"]!.GetValue<long>())
                throw new DataFormatException(paths[i], null, "rows", $"holds {parts[i].Rows} rows, its shard's stats say {stats[i]["documents"]}");
            if (parts[i].Model != parts[0].Model || parts[i].Dimension != parts[0].Dimension)
                throw new DataFormatException(paths[i], null, "model name", $"{parts[i].Dimension}-d rows by '{parts[i].Model}'; shard 0 has {parts[0].Dimension}-d rows by '{parts[0].Model}'");
        }
        var order = ShardUnits.InOrder(stats);
        int d = parts[0].Dimension;
        long rows = order.Sum(o => o.Items);
        var data = new float[rows * d];
        var next = new long[n];
        long at = 0;
        foreach (var (shard, items) in order)
        {
            Array.Copy(parts[shard].Data, next[shard] * d, data, at * d, items * d);
            next[shard] += items;
            at += items;
        }
        var mapping = manifest.Config["mapping"].Deserialize<ColumnMapping>() ?? ColumnMapping.Native;
        var files = manifest.Config["input"]!["files"]!.AsArray().Select(f => f!["path"]!.GetValue<string>()).ToArray();
        var texts = files.SelectMany(f => CorpusReader.Read(f, mapping)).Select(doc => doc.Text).ToArray();
        if (texts.Length != rows)
            throw new DataFormatException(files[0], null, null, $"the corpus now has {texts.Length} documents; the shards embedded {rows} (changed since?)");
        var merged = new EmbeddingMatrix((int)rows, d, data, parts[0].Model, EmbeddingMatrix.FingerprintOf(texts));
        merged.Write(Path.Combine(outputDirectory, EmbeddingArtifact.FileName));
        progress?.Report(new WorkProgress("merge embeddings", rows, rows, parts[0].Model));
        return merged;
    }
}
