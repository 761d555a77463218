using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>
/// The canonical ground-truth programs from <see cref="ProxLabel"/>s: <c>drop_doc()</c> for documents labelled drop,
/// <c>keep_doc()</c> otherwise; per chunk, one <c>remove_lines(line_start=a, line_end=b)</c> for each labelled
/// boilerplate range clipped to the chunk's lines, or <c>keep_chunk()</c> when the chunk has none. Keyword arguments,
/// so both dialects read them the same way. These are the targets a refining model is trained toward and the oracle
/// it is scored against.
/// </summary>
public sealed class LabelProgramWriter : IProgramWriter
{
    public string Name => "labels";

    public static string DocumentProgram(ProxLabel label) => label.Drop == true ? ProgramText.DropDoc : ProgramText.KeepDoc;

    public static string ChunkProgram(ProxLabel label, ProxChunk chunk)
    {
        var lines = new List<string>();
        foreach (var range in label.Boilerplate ?? [])
        {
            long a = Math.Max(range.Start, chunk.FirstLine), b = Math.Min(range.End, chunk.LastLine);
            if (a <= b) lines.Add(ProgramText.RemoveLines(a, b));
        }
        return lines.Count == 0 ? ProgramText.KeepChunk : string.Join('\n', lines);
    }

    public IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<Document> documents, CancellationToken cancellationToken = default) =>
        documents.Select(d => DocumentProgram(ProxLabel.Of(d))).ToArray();

    public IReadOnlyList<IReadOnlyList<string>> WriteChunkPrograms(IReadOnlyList<ChunkedDocument> documents, CancellationToken cancellationToken = default) =>
        documents.Select(d =>
        {
            var label = ProxLabel.Of(d.Document);
            return (IReadOnlyList<string>)d.Chunks.Select(c => ChunkProgram(label, c)).ToArray();
        }).ToArray();
}
