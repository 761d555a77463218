namespace ResearchKit.ProX;

/// <summary>Which ProX stages a refinement runs: ProX-D (document-level keep/drop), ProX-C (chunk-level edits), or
/// both in that order (ProX-D+C).</summary>
[Flags]
public enum ProxStages
{
    Document = 1,
    Chunk = 2,
    DocumentAndChunk = Document | Chunk,
}
