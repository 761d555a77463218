namespace ResearchKit.Packing.Probes;

/// <summary>Settings of the in-context probe (<see cref="InContextPairs"/>, <see cref="InContextProbe"/>).</summary>
/// <param name="ContextTokens">C: tokens of the preceding document, its end-of-text included; it must leave room for
/// the target in the window.</param>
/// <param name="Documents">Held-out documents probed (a seeded draw); all when fewer.</param>
/// <param name="MaxCosine">Candidates at or above this cosine with the target are not used (near-copies across the
/// split would measure copying); 0.95 is the ICLM order's dedup threshold.</param>
/// <param name="Seed">Which documents are probed and which random contexts they get: fixed across arms and seeds,
/// so every model is probed on the same pairs.</param>
public sealed record InContextProbeSpec(int ContextTokens, int Documents = 200, double MaxCosine = 0.95, long Seed = 7, int BatchSize = 16);
