namespace ResearchKit.ProX;

/// <summary>A chunk of a document as a chunk-level refining model sees it: lines <see cref="FirstLine"/>..
/// <see cref="LastLine"/> (0-based, document-global, inclusive), each prefixed with its number ("[007]…"), joined by
/// '\n'; <see cref="Tokens"/> is the budget the chunker counted for it.</summary>
public sealed record ProxChunk(int FirstLine, int LastLine, string Text, int Tokens)
{
    public int LineCount => LastLine - FirstLine + 1;
}
