namespace ResearchKit.ProX;

/// <summary>
/// Scores any refiner (a model's programs, rule filters, ...) against <see cref="ProxLabel"/>s: drop decisions for
/// documents labelled drop/keep, and removed lines for documents with labelled boilerplate lines (micro-averaged over
/// all lines of all documents).
/// </summary>
public static class RefinerScores
{
    /// <summary>Positives are documents labelled drop.</summary>
    public static PrecisionRecall Drops(IEnumerable<(bool Predicted, bool Labelled)> decisions)
    {
        long tp = 0, fp = 0, fn = 0, tn = 0;
        foreach (var (p, l) in decisions)
        {
            if (p && l) tp++;
            else if (p) fp++;
            else if (l) fn++;
            else tn++;
        }
        return new PrecisionRecall(tp, fp, fn, tn);
    }

    /// <summary>Positives are lines labelled boilerplate; ranges are clipped to the document's lines.</summary>
    public static PrecisionRecall Lines(int lineCount, IEnumerable<LineRange> removed, IEnumerable<LineRange> labelled)
    {
        var r = Mask(lineCount, removed);
        var l = Mask(lineCount, labelled);
        long tp = 0, fp = 0, fn = 0, tn = 0;
        for (int i = 0; i < lineCount; i++)
        {
            if (r[i] && l[i]) tp++;
            else if (r[i]) fp++;
            else if (l[i]) fn++;
            else tn++;
        }
        return new PrecisionRecall(tp, fp, fn, tn);
    }

    /// <summary>The lines of the original document a refinement took out: all of them when it was dropped, none when
    /// the original text was kept, else its removed ranges.</summary>
    public static IReadOnlyList<LineRange> RemovedLines(RefineResult result, int lineCount) => result.Outcome switch
    {
        _ when result.Dropped => [new LineRange(0, lineCount - 1)],
        RefineOutcome.ErrorsKeptOriginal or RefineOutcome.Kept => [],
        _ => result.RemovedLines,
    };

    static bool[] Mask(int lineCount, IEnumerable<LineRange> ranges)
    {
        var mask = new bool[lineCount];
        foreach (var range in ranges)
            for (long i = Math.Max(0, range.Start); i <= Math.Min(range.End, lineCount - 1L); i++) mask[i] = true;
        return mask;
    }
}
