using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Pipeline;

/// <summary>What a shard's work is given: which shard, where its output goes, and a progress sink.</summary>
public sealed record ShardWork(ShardSpec Shard, ShardDirectory Directory, IProgress<WorkProgress>? Progress)
{
    /// <summary>The shard's output file (parts/part-i-of-n + extension). Write it atomically (<see cref="AtomicFile"/>,
    /// or a writer that uses it): the completion marker only follows a whole part.</summary>
    public string PartPath(string extension) => Directory.PartPath(Shard, extension);
}

/// <summary>Whether a shard ran now or had been finished by an earlier run, and its stats.</summary>
public sealed record ShardOutcome(ShardSpec Shard, bool Skipped, JsonObject Stats);

/// <summary>
/// Runs one shard of a stage the datatrove way: skip it when its completion marker exists; otherwise take the
/// shard's lock (a second writer of the same shard refuses with <see cref="ShardBusyException"/>), run the work,
/// write stats/i.json and only then done/i. A process killed half-way leaves no marker (and no part: parts are
/// written atomically), so the next run redoes exactly the unfinished shards. The lock is an advisory file lock
/// (flock), which the kernel drops when its process dies, so a killed shard never blocks its rerun.
/// </summary>
public static class ShardRunner
{
    /// <param name="stage">Stage name, recorded in the manifest (e.g. "tokenize").</param>
    /// <param name="config">Everything that decides the output (inputs, their sizes, options); every shard of a
    /// directory must give the same, and a merge trusts that they did.</param>
    /// <param name="work">Writes the shard's part and returns its stage-specific stats.</param>
    public static ShardOutcome Run(ShardDirectory directory, string stage, ShardSpec shard, JsonObject config,
                                   Func<ShardWork, JsonObject> work, IProgress<WorkProgress>? progress = null)
    {
        directory.Claim(stage, shard, config);
        if (TryFinished(directory, shard) is { } finished) return finished;

        foreach (var sub in new[] { "parts", "stats", "done", "locks" }) System.IO.Directory.CreateDirectory(Path.Combine(directory.Root, sub));
        var lockPath = directory.LockPath(shard.Index);
        FileStream held;
        try { held = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            string owner = "";
            try { owner = $" by {File.ReadAllText(directory.OwnerPath(shard.Index)).Trim()}"; } catch (IOException) { }
            throw new ShardBusyException($"shard {shard} of {directory.Root} is being written{owner} (lock {lockPath} is held); " +
                                         "not starting a second writer. Rerun it once that process has finished or died");
        }
        using (held)
        {
            // The other writer may have finished between the marker check and the lock.
            if (TryFinished(directory, shard) is { } justFinished) return justFinished;
            File.WriteAllText(directory.OwnerPath(shard.Index), $"pid {Environment.ProcessId} on {Environment.MachineName} since {DateTime.UtcNow:O}");
            DeleteLeftovers(directory, shard);

            var clock = Stopwatch.StartNew();
            var stats = work(new ShardWork(shard, directory, progress));
            stats["shard"] = shard.Index;
            stats["shards"] = shard.Count;
            stats["stage"] = stage;
            stats["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3);
            stats["host"] = Environment.MachineName;
            AtomicFile.WriteAllText(directory.StatsPath(shard.Index), stats.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            AtomicFile.WriteAllText(directory.DonePath(shard.Index), new JsonObject { ["shard"] = shard.Index, ["shards"] = shard.Count }.ToJsonString());
            return new ShardOutcome(shard, false, stats);
        }
    }

    static ShardOutcome? TryFinished(ShardDirectory directory, ShardSpec shard)
    {
        if (!File.Exists(directory.DonePath(shard.Index))) return null;
        var path = directory.StatsPath(shard.Index);
        try { return new ShardOutcome(shard, true, JsonNode.Parse(File.ReadAllText(path))!.AsObject()); }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException)
        {
            throw new DataFormatException(path, null, null, $"shard {shard} is marked done but its stats are unreadable ({e.Message}); delete {directory.DonePath(shard.Index)} to redo it");
        }
    }

    /// <summary>Temporary files of this shard's part from a process that was killed while writing it.</summary>
    static void DeleteLeftovers(ShardDirectory directory, ShardSpec shard)
    {
        foreach (var f in System.IO.Directory.EnumerateFiles(Path.Combine(directory.Root, "parts"), shard.PartName("") + "*.tmp-*"))
            File.Delete(f);
    }
}
