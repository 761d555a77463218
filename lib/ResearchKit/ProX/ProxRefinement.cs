using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>One document's way through <see cref="ProxRefineTransform"/>: the programs written for it and what they
/// did at each stage (null for a stage that did not run). <see cref="Output"/> is null when it was dropped.</summary>
public sealed record ProxRefinement(Document Input, string? DocumentProgram, RefineResult? DocumentResult,
                                    string? ChunkProgram, RefineResult? ChunkResult, Document? Output)
{
    /// <summary>Lines of <see cref="Input"/> (0-based, <c>Split('\n')</c>) this step took out: all of them when it
    /// dropped the document, else those its ProX-C program removed; null when it only ran ProX-D and kept the document,
    /// which says nothing about the lines a later ProX-C step removes.</summary>
    public IReadOnlyList<LineRange>? RemovedLines()
    {
        var result = ChunkResult ?? DocumentResult!;
        return result.Dropped || ChunkResult is not null ? RefinerScores.RemovedLines(result, ProgramInterpreter.CountLines(Input.Text)) : null;
    }
}
