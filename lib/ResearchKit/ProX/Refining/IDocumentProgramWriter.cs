namespace ResearchKit.ProX.Refining;

/// <summary>Writes ProX document-level programs (<c>keep_doc()</c> / <c>drop_doc()</c>): one program text per
/// document's raw text, in order. The program is data for the ProX interpreter, never code.</summary>
public interface IDocumentProgramWriter
{
    IReadOnlyList<string> WriteDocumentPrograms(IReadOnlyList<string> documents, IProgress<WorkProgress>? progress = null, CancellationToken cancel = default);
}
