using Microsoft.Data.Analysis;
using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>
/// How well a refinement (any pipeline: rules, ProX programs from a model or from labels) matches the ground truth of
/// <see cref="ProxLabel"/> on the same documents: drop precision/recall over documents labelled drop/keep (spam is
/// the positive class); line-removal precision/recall/F1 over the lines of documents with boilerplate labels (a dropped
/// document removes all its lines; lines are matched by <see cref="LineAlignment"/>, so C4's line filter is scored
/// like a <c>remove_lines</c> program); the share of lines removed from documents with no labels of either kind (text
/// assumed clean, so lower is better); and, for model-written programs, the share that parse (the kit's grammar, every
/// call a known function with well-typed arguments at the right level).
/// </summary>
public sealed record RefinementScore(PrecisionRecall Drops, PrecisionRecall Lines, long UnlabelledLinesRemoved, long UnlabelledLines,
                                     int DocumentProgramsParsed, int DocumentPrograms, int ChunkProgramsParsed, int ChunkPrograms)
{
    /// <summary>Runs <paramref name="spec"/> on <paramref name="documents"/> (ids unique) and scores the result. When
    /// the refinement is ProX alone, the lines removed are the interpreter's own record (exact, even where a kept line
    /// reads like a removed one); otherwise they are found by <see cref="LineAlignment"/>.</summary>
    public static RefinementScore Measure(RefineSpec spec, IReadOnlyList<Document> documents, IProgramWriter? documentWriter = null,
                                          IProgramWriter? chunkWriter = null, ProxChunker? chunker = null, CancellationToken cancellationToken = default)
    {
        var duplicate = documents.GroupBy(d => d.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"id '{duplicate.Key}' occurs twice; scoring matches outputs to inputs by id", nameof(documents));
        var documentRecorder = documentWriter is null ? null : new RecordingProgramWriter(documentWriter);
        var chunkRecorder = chunkWriter is null ? null : new RecordingProgramWriter(chunkWriter);
        Dictionary<string, IReadOnlyList<LineRange>>? removed = null;
        Action<ProxRefinement>? observe = null;
        if (spec.Rules.Count == 0 && spec.MaxChars is null && spec.Prox is not null)
        {
            removed = [];
            observe = r =>
            {
                // ProX-D never edits, so ProX-C's line numbers are the original document's.
                if (r.RemovedLines() is { } lines) removed[r.Input.Id] = lines;
            };
        }
        var outputs = spec.Build(documentRecorder, chunkRecorder, chunker, observe).Apply(documents, new Pipeline.TransformStats(), cancellationToken).ToDictionary(d => d.Id);
        return Of(documents, outputs, documentRecorder?.DocumentPrograms, chunkRecorder?.ChunkPrograms, removed);
    }

    /// <param name="inputs">The documents as they went in (ids unique).</param>
    /// <param name="outputs">What came out, by id (a missing id was dropped).</param>
    /// <param name="documentPrograms">Every document-level program written (empty when none).</param>
    /// <param name="chunkPrograms">Every chunk-level program written, one per chunk.</param>
    /// <param name="removedLines">Lines known to be removed, by id (a refinement's own record); other documents' are
    /// found by <see cref="LineAlignment"/>.</param>
    public static RefinementScore Of(IReadOnlyList<Document> inputs, IReadOnlyDictionary<string, Document> outputs,
                                     IEnumerable<string>? documentPrograms = null, IEnumerable<string>? chunkPrograms = null,
                                     IReadOnlyDictionary<string, IReadOnlyList<LineRange>>? removedLines = null)
    {
        var drops = new List<(bool, bool)>();
        var lines = PrecisionRecall.Zero;
        long unlabelledRemoved = 0, unlabelledLines = 0;
        foreach (var d in inputs)
        {
            var label = ProxLabel.Of(d);
            var refined = outputs.TryGetValue(d.Id, out var o) ? o.Text : null;
            if (label.Drop is { } drop) drops.Add((refined is null, drop));
            if (label.Drop is not null && label.Boilerplate is null) continue;
            int lineCount = ProgramInterpreter.CountLines(d.Text);
            var removed = removedLines is not null && removedLines.TryGetValue(d.Id, out var known) ? known
                : refined is not null && removedLines is not null ? [] : LineAlignment.RemovedLines(d.Text, refined);
            if (label.Boilerplate is { } boilerplate) lines += RefinerScores.Lines(lineCount, removed, boilerplate);
            else
            {
                unlabelledLines += lineCount;
                unlabelledRemoved += removed.Sum(r => r.Count);
            }
        }
        int Parsed(IEnumerable<string>? programs, ProxStages level) => programs?.Count(p => Parses(p, level)) ?? 0;
        return new RefinementScore(RefinerScores.Drops(drops), lines, unlabelledRemoved, unlabelledLines,
                                   Parsed(documentPrograms, ProxStages.Document), documentPrograms?.Count() ?? 0,
                                   Parsed(chunkPrograms, ProxStages.Chunk), chunkPrograms?.Count() ?? 0);
    }

    /// <summary>Whether a program reads without error in the kit's grammar and every call is a function of the
    /// <paramref name="level"/>'s set with well-typed arguments. Execution errors (a range past the end) are not
    /// parse errors.</summary>
    public static bool Parses(string program, ProxStages level)
    {
        var parsed = ProgramParser.Parse(program.Trim(' '));
        if (parsed.Errors.Count > 0) return false;
        foreach (var call in parsed.Calls)
            if (ProxOperation.Bind(call, out _) is not { } op || op.IsDocumentLevel != (level == ProxStages.Document)) return false;
        return true;
    }

    public double UnlabelledLineRemoval => UnlabelledLines == 0 ? double.NaN : (double)UnlabelledLinesRemoved / UnlabelledLines;
    public double DocumentParseRate => DocumentPrograms == 0 ? double.NaN : (double)DocumentProgramsParsed / DocumentPrograms;
    public double ChunkParseRate => ChunkPrograms == 0 ? double.NaN : (double)ChunkProgramsParsed / ChunkPrograms;

    /// <summary>drop_precision, drop_recall, drop_f1, line_precision, line_recall, line_f1, unlabelled_line_removal,
    /// doc_program_parse_rate, chunk_program_parse_rate; undefined ones (NaN: nothing predicted, no such programs) are
    /// left out.</summary>
    public Dictionary<string, double> Metrics()
    {
        var all = new Dictionary<string, double>
        {
            ["drop_precision"] = Drops.Precision, ["drop_recall"] = Drops.Recall, ["drop_f1"] = Drops.F1,
            ["line_precision"] = Lines.Precision, ["line_recall"] = Lines.Recall, ["line_f1"] = Lines.F1,
            ["unlabelled_line_removal"] = UnlabelledLineRemoval,
            ["doc_program_parse_rate"] = DocumentParseRate, ["chunk_program_parse_rate"] = ChunkParseRate,
        };
        return all.Where(m => double.IsFinite(m.Value)).ToDictionary(m => m.Key, m => m.Value);
    }

    /// <summary>One row per decision: drop_doc (documents), remove_lines (labelled lines) with the confusion counts,
    /// precision, recall and F1 (NaN where undefined).</summary>
    public DataFrame ToDataFrame()
    {
        var rows = new[] { ("drop_doc", Drops), ("remove_lines", Lines) };
        return new DataFrame(
            new StringDataFrameColumn("decision", rows.Select(r => r.Item1)),
            new Int64DataFrameColumn("true_positives", rows.Select(r => r.Item2.TruePositives)),
            new Int64DataFrameColumn("false_positives", rows.Select(r => r.Item2.FalsePositives)),
            new Int64DataFrameColumn("false_negatives", rows.Select(r => r.Item2.FalseNegatives)),
            new Int64DataFrameColumn("true_negatives", rows.Select(r => r.Item2.TrueNegatives)),
            new DoubleDataFrameColumn("precision", rows.Select(r => r.Item2.Precision)),
            new DoubleDataFrameColumn("recall", rows.Select(r => r.Item2.Recall)),
            new DoubleDataFrameColumn("f1", rows.Select(r => r.Item2.F1)));
    }
}
