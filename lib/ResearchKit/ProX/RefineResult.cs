namespace ResearchKit.ProX;

/// <summary>
/// The result of running one program on one document: the text kept (null when dropped) and why, every counted error
/// (line and reason), and what changed. <see cref="RemovedLines"/> are merged, 0-based inclusive ranges of the text
/// after normalization, clipped to its lines. <see cref="Operations"/> counts the calls executed (bounded by
/// <see cref="ProgramLimits.MaxLines"/>).
/// </summary>
public sealed record RefineResult(
    RefineOutcome Outcome,
    string? Text,
    IReadOnlyList<ProgramError> Errors,
    IReadOnlyList<LineRange> RemovedLines,
    IReadOnlyList<Normalization> Normalizations,
    int WordsBefore,
    int WordsAfter,
    int Operations)
{
    public bool Dropped => Text is null;

    /// <summary>The statistics name of <see cref="Outcome"/>, e.g. "too_few_words".</summary>
    public string Reason => Outcome.Reason();

    public long LinesRemoved => RemovedLines.Sum(r => r.Count);
}
