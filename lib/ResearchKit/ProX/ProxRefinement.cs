using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>One document's way through <see cref="ProxRefineTransform"/>: the programs written for it and what they
/// did at each stage (null for a stage that did not run). <see cref="Output"/> is null when it was dropped.</summary>
public sealed record ProxRefinement(Document Input, string? DocumentProgram, RefineResult? DocumentResult,
                                    string? ChunkProgram, RefineResult? ChunkResult, Document? Output);
