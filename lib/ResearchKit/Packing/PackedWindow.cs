namespace ResearchKit.Packing;

/// <summary>
/// One context window of T+1 tokens cut from a packed stream (inputs are [0, T), targets [1, T]).
/// </summary>
/// <param name="Tokens">Token ids.</param>
/// <param name="Trainable">Whether the token may be a prediction target (false for loss-masked prefix tokens and padding).</param>
/// <param name="Segments">Which document occurrence each token belongs to, numbered within the window from 0;
/// drives the block-diagonal attention mask and the RoPE restart.</param>
/// <param name="Domains">Domain id of each token's document.</param>
public sealed record PackedWindow(int[] Tokens, bool[] Trainable, int[] Segments, int[] Domains)
{
    public int Length => Tokens.Length;
}
