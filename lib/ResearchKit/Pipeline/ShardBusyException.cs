namespace ResearchKit.Pipeline;

/// <summary>Another process holds the lock of the shard this run was asked to write: the two must not both write
/// it, so this one stops without touching anything.</summary>
public sealed class ShardBusyException(string message) : InvalidOperationException(message);
