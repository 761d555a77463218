using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.ProX;

/// <summary>One document's way through a ProX refinement, for showing and checking: what went in, each ProX step's
/// programs and results (ProX-D, then ProX-C), and what came out (null: dropped).</summary>
public sealed record RefinementTrace(Document Input, IReadOnlyList<ProxRefinement> Steps, Document? Output)
{
    public bool Dropped => Output is null;

    /// <summary>Lines of <see cref="Input"/> (0-based, <c>Split('\n')</c>) that the refinement took out: all of them
    /// when it was dropped, else those ProX-C's programs removed.</summary>
    /// <remarks>The last step that says anything decides: a dropped document goes no further than the step that
    /// dropped it, and ProX-D never edits, so every step's lines are <see cref="Input"/>'s.</remarks>
    public IReadOnlyList<LineRange> RemovedLines => Steps.Select(s => s.RemovedLines()).LastOrDefault(lines => lines is not null) ?? [];

    /// <summary>Runs <paramref name="spec"/> (ProX steps, no rules) on <paramref name="documents"/> and keeps each
    /// document's trace, in input order.</summary>
    public static IReadOnlyList<RefinementTrace> Of(RefineSpec spec, IReadOnlyList<Document> documents, IProgramWriter? documentWriter = null,
                                                    IProgramWriter? chunkWriter = null, ProxChunker? chunker = null)
    {
        if (spec.Rules.Count > 0 || spec.MaxChars is not null) throw new ArgumentException("a trace follows ProX steps only (no rules, no cut)", nameof(spec));
        var steps = documents.ToDictionary(d => d.Id, _ => new List<ProxRefinement>());
        var outputs = spec.Build(documentWriter, chunkWriter, chunker, r => steps[r.Input.Id].Add(r)).Apply(documents, new TransformStats()).ToDictionary(d => d.Id);
        return documents.Select(d => new RefinementTrace(d, steps[d.Id], outputs.GetValueOrDefault(d.Id))).ToList();
    }
}
