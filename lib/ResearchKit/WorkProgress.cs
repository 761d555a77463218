namespace ResearchKit;

/// <summary>Progress of long work, reported through <see cref="IProgress{T}"/> (the library never prints).</summary>
/// <param name="Stage">What is running, e.g. "tokenize" or "train arm cooldown-0.1".</param>
/// <param name="Done">Units finished (documents, steps, bytes).</param>
/// <param name="Total">Units in all, when known.</param>
/// <param name="Detail">A short live summary, e.g. "loss 3.21 · 41k tok/s".</param>
public readonly record struct WorkProgress(string Stage, long Done, long? Total = null, string? Detail = null);
