using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;

namespace ResearchKit.ProX;

/// <summary>
/// ProX as a document-pipeline step: for each batch of documents, asks an <see cref="IProgramWriter"/> for programs
/// and runs them with a <see cref="ProgramInterpreter"/>. ProX-D first (drop/keep on the raw text), then ProX-C on the
/// survivors (chunked by <see cref="ProxChunker"/>, one program per chunk, merged into one document program).
/// <para>Statistics under <see cref="Name"/>: dropped documents by reason ("dropped_by_program", "mostly_removed",
/// "too_few_words", "empty"), and for kept documents (<see cref="TransformStats.Noted"/>): "lines_removed" and
/// "normalized" with the characters they removed, "errors_kept_original" (program ignored for its errors) and
/// "program_errors" (documents whose programs had any error). <see cref="ProxRefinement"/>s go to the optional
/// observer, in input order, for reports and scoring.</para>
/// </summary>
public sealed class ProxRefineTransform : IDocumentTransform
{
    readonly IProgramWriter _writer;
    readonly ProxChunker? _chunker;
    readonly ProgramInterpreter _interpreter;
    readonly int _batchSize;
    readonly Action<ProxRefinement>? _observe;

    /// <param name="chunker">Required when <paramref name="stages"/> includes <see cref="ProxStages.Chunk"/>; its
    /// tokenizer should be the refining model's.</param>
    /// <param name="batchSize">Documents per call to the writer.</param>
    public ProxRefineTransform(IProgramWriter writer, ProxStages stages, ProxChunker? chunker = null, ProxOptions? options = null,
                               string? name = null, int batchSize = 64, Action<ProxRefinement>? observe = null)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        if ((stages & ProxStages.DocumentAndChunk) == 0) throw new ArgumentException("no ProX stage to run", nameof(stages));
        if (stages.HasFlag(ProxStages.Chunk) && chunker is null) throw new ArgumentException("the chunk stage needs a chunker", nameof(chunker));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "a batch holds at least one document");
        Stages = stages;
        _chunker = chunker;
        _interpreter = new ProgramInterpreter(options);
        _batchSize = batchSize;
        _observe = observe;
        Name = name ?? $"prox-{(stages == ProxStages.DocumentAndChunk ? "dc" : stages == ProxStages.Document ? "d" : "c")}-{writer.Name}";
    }

    public string Name { get; }
    public ProxStages Stages { get; }
    public ProxOptions Options => _interpreter.Options;

    public IEnumerable<Document> Apply(IEnumerable<Document> documents, TransformStats stats, CancellationToken cancellationToken = default)
    {
        foreach (var batch in documents.Chunk(_batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            var refined = Refine(batch, cancellationToken);
            stats.AddTime(Name, Stopwatch.GetElapsedTime(start));
            foreach (var r in refined)
            {
                Record(r, stats);
                _observe?.Invoke(r);
                if (r.Output is not null) yield return r.Output;
            }
        }
    }

    /// <summary>Runs both stages on one batch, in order.</summary>
    public IReadOnlyList<ProxRefinement> Refine(IReadOnlyList<Document> batch, CancellationToken cancellationToken = default)
    {
        var docPrograms = new string?[batch.Count];
        var docResults = new RefineResult?[batch.Count];
        if (Stages.HasFlag(ProxStages.Document))
        {
            var programs = _writer.WriteDocumentPrograms(batch, cancellationToken);
            if (programs.Count != batch.Count)
                throw new InvalidOperationException($"program writer '{_writer.Name}' returned {programs.Count} document programs for {batch.Count} documents");
            for (int i = 0; i < batch.Count; i++)
            {
                docPrograms[i] = programs[i].Trim(' ');
                docResults[i] = _interpreter.RunDocumentProgram(batch[i].Text, docPrograms[i]!);
            }
        }
        var chunkPrograms = new string?[batch.Count];
        var chunkResults = new RefineResult?[batch.Count];
        if (Stages.HasFlag(ProxStages.Chunk))
        {
            var survivors = Enumerable.Range(0, batch.Count).Where(i => docResults[i]?.Dropped != true).ToArray();
            var chunked = survivors.Select(i => new ChunkedDocument(batch[i], _chunker!.Chunk(batch[i].Text))).ToArray();
            var programs = _writer.WriteChunkPrograms(chunked, cancellationToken);
            if (programs.Count != chunked.Length)
                throw new InvalidOperationException($"program writer '{_writer.Name}' returned chunk programs for {programs.Count} documents, expected {chunked.Length}");
            for (int k = 0; k < survivors.Length; k++)
            {
                if (programs[k].Count != chunked[k].Chunks.Count)
                    throw new InvalidOperationException($"program writer '{_writer.Name}' returned {programs[k].Count} programs for the {chunked[k].Chunks.Count} chunks of '{chunked[k].Document.Id}'");
                int i = survivors[k];
                chunkPrograms[i] = ProxChunker.MergePrograms(programs[k]);
                chunkResults[i] = _interpreter.RunChunkProgram(batch[i].Text, chunkPrograms[i]!);
            }
        }
        var refined = new ProxRefinement[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            var last = chunkResults[i] ?? docResults[i]!;
            var output = last.Dropped ? null : last.Text == batch[i].Text ? batch[i] : batch[i] with { Text = last.Text! };
            refined[i] = new ProxRefinement(batch[i], docPrograms[i], docResults[i], chunkPrograms[i], chunkResults[i], output);
        }
        return refined;
    }

    void Record(ProxRefinement r, TransformStats stats)
    {
        var last = r.ChunkResult ?? r.DocumentResult!;
        if ((r.DocumentResult?.Errors.Count ?? 0) + (r.ChunkResult?.Errors.Count ?? 0) > 0) stats.Noted(Name, "program_errors");
        if (r.Output is null)
        {
            stats.Dropped(Name, r.Input, last.Reason);
            return;
        }
        stats.Kept(Name, r.Input, r.Output);
        if (r.ChunkResult is not { } c) return;
        if (c.Outcome == RefineOutcome.ErrorsKeptOriginal)
        {
            stats.Noted(Name, "errors_kept_original");
            return;
        }
        long normalized = c.Normalizations.Sum(n => n.CharactersRemoved);
        if (c.Normalizations.Any(n => n.Occurrences > 0)) stats.Noted(Name, "normalized", normalized);
        if (c.RemovedLines.Count > 0) stats.Noted(Name, "lines_removed", r.Input.Text.Length - normalized - r.Output.Text.Length);
    }
}
