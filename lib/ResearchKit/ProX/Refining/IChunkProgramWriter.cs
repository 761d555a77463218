namespace ResearchKit.ProX.Refining;

/// <summary>Writes ProX chunk-level programs (<c>remove_lines</c>, <c>normalize</c>, <c>skip_chunk</c>): for each
/// document, given its chunks (line-numbered text, <c>[000]first line</c>, as the ProX chunker makes them), one
/// program per chunk, joined with "\n" into the document's program (the reference's merge_chunks). A document with
/// no chunks gets "".</summary>
public interface IChunkProgramWriter
{
    IReadOnlyList<string> WriteChunkPrograms(IReadOnlyList<IReadOnlyList<string>> chunksPerDocument, IProgress<WorkProgress>? progress = null, CancellationToken cancel = default);
}
