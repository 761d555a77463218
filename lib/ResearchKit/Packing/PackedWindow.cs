namespace ResearchKit.Packing;

/// <summary>
/// One context window of T+1 tokens cut from a packed stream (inputs are [0, T), targets [1, T]).
/// </summary>
/// <param name="Tokens">Token ids.</param>
/// <param name="Trainable">Whether the token may be a prediction target (false for loss-masked prefix tokens, untrained
/// end-of-text and padding).</param>
/// <param name="Segments">Which document piece each token belongs to, numbered within the window from 0; drives the
/// block-diagonal attention mask and the RoPE restart.</param>
/// <param name="Domains">Domain id of each token's document.</param>
/// <param name="PrefixInView">Whether the token's document prefix (MeCo metadata) is inside this window before it.</param>
public sealed record PackedWindow(int[] Tokens, bool[] Trainable, int[] Segments, int[] Domains, bool[] PrefixInView)
{
    public PackedWindow(int length) : this(new int[length], new bool[length], new int[length], new int[length], new bool[length]) { }

    /// <summary>A window with no document prefix in view.</summary>
    public PackedWindow(int[] tokens, bool[] trainable, int[] segments, int[] domains) : this(tokens, trainable, segments, domains, new bool[tokens.Length]) { }

    public int Length => Tokens.Length;

    internal void Set(int slot, int token, bool trainable, int segment, int domain, bool prefixInView)
    {
        Tokens[slot] = token;
        Trainable[slot] = trainable;
        Segments[slot] = segment;
        Domains[slot] = domain;
        PrefixInView[slot] = prefixInView;
    }
}
