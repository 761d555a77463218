namespace ResearchKit.Packing;

/// <summary>
/// SplitMix64: a tiny generator whose whole state is one <see cref="ulong"/>, so samplers can save and resume it
/// exactly (System.Random's state cannot be read back).
/// </summary>
public sealed class SeededRandom(ulong state)
{
    public ulong State { get; set; } = state;

    public ulong NextUInt64()
    {
        ulong z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n) without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        ulong bound = (ulong)n, threshold = (0UL - bound) % bound;
        while (true)
        {
            UInt128 m = (UInt128)NextUInt64() * bound;
            if ((ulong)m >= threshold) return (int)(m >> 64);
        }
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A seed for a named sub-stream (e.g. an epoch or a domain), independent of the parent's draws.</summary>
    public static ulong Derive(ulong seed, ulong stream) => new SeededRandom(seed ^ (stream * 0xD1B54A32D192ED03UL + 0x8CB92BA72F3D8DD7UL)).NextUInt64();
}
