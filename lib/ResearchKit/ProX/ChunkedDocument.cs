using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>A document and the chunks (<see cref="ProxChunker"/>) its chunk-level programs refer to.</summary>
public sealed record ChunkedDocument(Document Document, IReadOnlyList<ProxChunk> Chunks);
