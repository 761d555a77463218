using System.Text.Json.Nodes;

namespace ResearchKit.Pipeline;

/// <summary>
/// Puts sharded output back in input order. Shard i of n holds the work units i, i+n, i+2n, ... (a fixed stride),
/// each unit's items contiguous in its part; a shard's stats list, per unit, how many items it wrote. A merge that
/// takes unit 0's items from shard 0, unit 1's from shard 1, ... reproduces exactly the sequence one process
/// would have written, which is what makes n-shard output byte-identical to single-process output.
/// </summary>
public static class ShardUnits
{
    /// <summary>The "units" entry of a shard's stats: [[unit, items], ...] in unit order.</summary>
    public static JsonArray ToJson(IEnumerable<(int Unit, long Items)> units) =>
        new(units.Select(u => (JsonNode)new JsonArray(u.Unit, u.Items)).ToArray());

    /// <summary>(shard, items) for every unit in input order, checked: the units of all shards together are
    /// 0..U-1, each exactly once, each in the shard the stride gives it.</summary>
    public static IReadOnlyList<(int Shard, long Items)> InOrder(IReadOnlyList<JsonObject> shardStats)
    {
        int n = shardStats.Count;
        var byUnit = new SortedDictionary<int, (int Shard, long Items)>();
        for (int s = 0; s < n; s++)
        {
            var units = shardStats[s]["units"]?.AsArray() ?? throw new InvalidOperationException($"stats of shard {s}/{n} list no units");
            foreach (var u in units)
            {
                int unit = u![0]!.GetValue<int>();
                long items = u[1]!.GetValue<long>();
                if (unit % n != s) throw new InvalidOperationException($"shard {s}/{n} lists unit {unit}, which belongs to shard {unit % n}");
                if (!byUnit.TryAdd(unit, (s, items))) throw new InvalidOperationException($"unit {unit} is listed twice");
            }
        }
        int expected = 0;
        foreach (var unit in byUnit.Keys)
        {
            if (unit != expected) throw new InvalidOperationException($"unit {expected} is missing from every shard's stats");
            expected++;
        }
        return byUnit.Values.ToList();
    }

    /// <summary>Yields the items of all shards in input order: <paramref name="order"/>'s count from the named shard's
    /// stream, unit by unit. A stream that ends early is an error naming its shard.</summary>
    public static IEnumerable<T> Interleave<T>(IReadOnlyList<IEnumerator<T>> shards, IReadOnlyList<(int Shard, long Items)> order, Func<int, string> describeShard)
    {
        foreach (var (shard, items) in order)
            for (long i = 0; i < items; i++)
            {
                if (!shards[shard].MoveNext())
                    throw new InvalidOperationException($"{describeShard(shard)} ends before the {items} items its stats promise for one of its units");
                yield return shards[shard].Current;
            }
    }
}
