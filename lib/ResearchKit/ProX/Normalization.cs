namespace ResearchKit.ProX;

/// <summary>A <c>normalize</c> that ran: every occurrence of <see cref="Source"/> in the document (at that point)
/// became <see cref="Target"/>; <see cref="Occurrences"/> may be 0.</summary>
public sealed record Normalization(int Line, string Source, string Target, int Occurrences)
{
    /// <summary>Characters the replacement removed (negative when it lengthened the text).</summary>
    public long CharactersRemoved => (long)Occurrences * (Source.Length - Target.Length);
}
