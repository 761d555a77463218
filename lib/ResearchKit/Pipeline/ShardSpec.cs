using System.Globalization;

namespace ResearchKit.Pipeline;

/// <summary>
/// One shard of a data stage: shard <see cref="Index"/> of <see cref="Count"/> (written "i/n", 0-based, as Slurm's
/// <c>SLURM_ARRAY_TASK_ID</c> and Kubernetes' <c>JOB_COMPLETION_INDEX</c> count). Work is dealt out with a fixed
/// stride, as datatrove does: work unit u belongs to shard u mod n, so every shard gets units from the whole input
/// and n never needs to divide the number of units.
/// </summary>
public readonly record struct ShardSpec
{
    public int Index { get; }
    public int Count { get; }

    public ShardSpec(int index, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), $"shard count {count} must be at least 1");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), $"shard index {index} must be within 0..{count - 1}");
        Index = index;
        Count = count;
    }

    /// <summary>The whole input as one shard.</summary>
    public static ShardSpec Single => new(0, 1);

    /// <summary>Parses "i/n" (e.g. "3/16").</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new ArgumentException($"--shard '{text}': expected i/n, e.g. 0/4 (shard i of n, counted from 0)");
        if (count < 1 || index >= count)
            throw new ArgumentException($"--shard '{text}': the index must be within 0..n-1 and n at least 1");
        return new ShardSpec(index, count);
    }

    /// <summary>Whether work unit <paramref name="unit"/> (numbered from 0 over the whole input) is this shard's.</summary>
    public bool Owns(long unit) => unit % Count == Index;

    /// <summary>"part-00003-of-00016" followed by <paramref name="extension"/> (with its dot).</summary>
    public string PartName(string extension) => $"part-{Index:D5}-of-{Count:D5}{extension}";

    public override string ToString() => $"{Index}/{Count}";
}
