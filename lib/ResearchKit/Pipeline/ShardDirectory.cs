using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Pipeline;

/// <summary>
/// Where the shards of one sharded stage run live (datatrove's layout):
/// <code>
///   manifest.json                    stage, shard count and config; written once, by the first shard to start
///   parts/part-00003-of-00016.ext    shard 3's output
///   stats/00003.json                 what shard 3 did (documents, tokens, work units, seconds, host)
///   done/00003                       completion marker, written last: a shard without one is redone
///   locks/00003.lock                 held (an advisory file lock) while a process writes shard 3
/// </code>
/// A rerun with another shard count or another config is refused: its parts could not be merged with these.
/// </summary>
public sealed class ShardDirectory
{
    const string ManifestName = "manifest.json";

    public ShardDirectory(string root) => Root = Path.GetFullPath(root);

    public string Root { get; }
    public string ManifestPath => Path.Combine(Root, ManifestName);
    public string PartPath(ShardSpec shard, string extension) => Path.Combine(Root, "parts", shard.PartName(extension));
    public string StatsPath(int index) => Path.Combine(Root, "stats", $"{index:D5}.json");
    public string DonePath(int index) => Path.Combine(Root, "done", $"{index:D5}");
    public string LockPath(int index) => Path.Combine(Root, "locks", $"{index:D5}.lock");
    internal string OwnerPath(int index) => Path.Combine(Root, "locks", $"{index:D5}.owner");

    public bool Exists => File.Exists(ManifestPath);

    /// <summary>The manifest, or null when no shard has started here.</summary>
    public ShardManifest? ReadManifest()
    {
        if (!File.Exists(ManifestPath)) return null;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(ManifestPath)) as JsonObject ?? throw new JsonException("not a JSON object");
            return new ShardManifest(node["stage"]!.GetValue<string>(), node["shards"]!.GetValue<int>(), node["config"]!.AsObject());
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new DataFormatException(ManifestPath, null, null, $"unreadable shard manifest: {e.Message}", e);
        }
    }

    /// <summary>Records (stage, count, config) on the first start; later starts must agree with it. Two shards
    /// starting at once race on a rename that only one wins; the other then compares.</summary>
    internal ShardManifest Claim(string stage, ShardSpec shard, JsonObject config)
    {
        var wanted = new ShardManifest(stage, shard.Count, config);
        if (ReadManifest() is null)
        {
            Directory.CreateDirectory(Root);
            var tmp = $"{ManifestPath}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
            File.WriteAllText(tmp, wanted.ToJson());
            try { File.Move(tmp, ManifestPath, overwrite: false); }
            catch (IOException) when (File.Exists(ManifestPath)) { }
            finally { File.Delete(tmp); }
        }
        var existing = ReadManifest()!;
        if (existing.Stage != stage)
            throw new InvalidOperationException($"{Root} holds shards of '{existing.Stage}', not '{stage}': choose another --out");
        if (existing.Count != shard.Count)
            throw new InvalidOperationException($"{Root} was started with {existing.Count} shards; this run says {shard} ({shard.Count} shards). " +
                                                $"Use --shard i/{existing.Count}, or another --out (or delete {Root}) to start over with {shard.Count}");
        if (!JsonNode.DeepEquals(existing.Config, config))
            throw new InvalidOperationException($"{Root} was started with another configuration ({Difference(existing.Config, config)}); " +
                                                "its parts cannot be merged with this run's. Use another --out, or delete it to start over");
        return existing;
    }

    static string Difference(JsonObject had, JsonObject now)
    {
        foreach (var (key, value) in now)
            if (!had.TryGetPropertyValue(key, out var old) || !JsonNode.DeepEquals(old, value))
                return $"'{key}' was {old?.ToJsonString() ?? "absent"}, now {value?.ToJsonString() ?? "null"}";
        var gone = had.Select(p => p.Key).FirstOrDefault(k => !now.ContainsKey(k));
        return gone is null ? "same keys" : $"'{gone}' is no longer given";
    }

    /// <summary>Indices of the shards whose completion marker exists, among 0..<paramref name="count"/>-1.</summary>
    public IReadOnlyList<int> Completed(int count) => Enumerable.Range(0, count).Where(i => File.Exists(DonePath(i))).ToList();

    /// <summary>Indices of the shards that still have to run (all of them when none has started).</summary>
    public IReadOnlyList<int> Unfinished(int count) => Enumerable.Range(0, count).Where(i => !File.Exists(DonePath(i))).ToList();

    /// <summary>
    /// The stats of every shard, in shard order, for a merge: the manifest must name <paramref name="stage"/> (any
    /// stage when null), every shard must be complete, and no part may come from another shard count.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing started here, shards missing, or parts of another shard count.</exception>
    public IReadOnlyList<JsonObject> RequireComplete(string? stage)
    {
        var manifest = ReadManifest() ?? throw new InvalidOperationException($"{Root}: no sharded run was started here (no {ManifestName})");
        if (stage is not null && manifest.Stage != stage)
            throw new InvalidOperationException($"{Root} holds shards of '{manifest.Stage}', not '{stage}'");
        int n = manifest.Count;
        var foreign = Directory.Exists(Path.Combine(Root, "parts"))
            ? Directory.EnumerateFiles(Path.Combine(Root, "parts"), "part-*").Select(Path.GetFileName)
                .Where(f => !f!.Contains($"-of-{n:D5}", StringComparison.Ordinal) && !f.Contains(".tmp-", StringComparison.Ordinal)).ToList()
            : [];
        if (foreign.Count > 0)
            throw new InvalidOperationException($"{Root} holds parts of another shard count than its manifest's {n}: {string.Join(", ", foreign.Take(3))}");
        var missing = Unfinished(n);
        if (missing.Count > 0)
            throw new InvalidOperationException($"{Root}: {missing.Count} of {n} shards are not complete (shard{(missing.Count > 1 ? "s" : "")} " +
                                                $"{Ranges(missing)}): run them (--shard i/{n}) before merging");
        var stats = new List<JsonObject>(n);
        for (int i = 0; i < n; i++)
        {
            var path = StatsPath(i);
            JsonObject s;
            try { s = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object"); }
            catch (Exception e) when (e is JsonException or IOException)
            {
                throw new DataFormatException(path, null, null, $"unreadable shard stats: {e.Message}", e);
            }
            if (s["shard"]?.GetValue<int>() != i || s["shards"]?.GetValue<int>() != n)
                throw new DataFormatException(path, null, "shard", $"stats of shard {s["shard"]}/{s["shards"]} in the place of {i}/{n}");
            stats.Add(s);
        }
        return stats;
    }

    /// <summary>"1-3, 7" for [1, 2, 3, 7].</summary>
    public static string Ranges(IReadOnlyList<int> sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(j == i ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }
}

/// <summary>What a shard directory is for: the stage, its shard count and the config every shard must share.</summary>
public sealed record ShardManifest(string Stage, int Count, JsonObject Config)
{
    internal string ToJson() => new JsonObject
    {
        ["stage"] = Stage, ["shards"] = Count, ["config"] = Config.DeepClone(),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
