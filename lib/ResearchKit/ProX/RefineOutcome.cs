namespace ResearchKit.ProX;

/// <summary>What running a program did to a document. <see cref="RefineOutcomes.Reason"/> gives the snake_case name
/// used in pipeline statistics.</summary>
public enum RefineOutcome
{
    /// <summary>Document level: no drop; the text is unchanged.</summary>
    Kept,
    /// <summary>Chunk level: the program's edits were applied (possibly none).</summary>
    Processed,
    /// <summary>Chunk level: the program had too many errors (≥ <see cref="ProxOptions.ErrorsToKeepOriginal"/>), so
    /// the original text is kept, as the reference does.</summary>
    ErrorsKeptOriginal,
    /// <summary>Document level: the program dropped the document.</summary>
    DroppedByProgram,
    /// <summary>Chunk level: the edits removed at least <see cref="ProxOptions.DropRemovedWordFraction"/> of the
    /// words (with fewer errors than the keep-original threshold).</summary>
    DroppedMostlyRemoved,
    /// <summary>Chunk level: the edited text has <see cref="ProxOptions.MinWords"/> words or fewer (the reference
    /// applies this even when it would otherwise keep the original).</summary>
    DroppedTooFewWords,
    /// <summary>The document is empty or whitespace only (the reference would divide by zero).</summary>
    DroppedEmpty,
}

public static class RefineOutcomes
{
    public static bool IsDrop(this RefineOutcome outcome) =>
        outcome is RefineOutcome.DroppedByProgram or RefineOutcome.DroppedMostlyRemoved or RefineOutcome.DroppedTooFewWords or RefineOutcome.DroppedEmpty;

    /// <summary>"kept", "processed", "errors_kept_original", "dropped_by_program", "mostly_removed",
    /// "too_few_words", "empty".</summary>
    public static string Reason(this RefineOutcome outcome) => outcome switch
    {
        RefineOutcome.Kept => "kept",
        RefineOutcome.Processed => "processed",
        RefineOutcome.ErrorsKeptOriginal => "errors_kept_original",
        RefineOutcome.DroppedByProgram => "dropped_by_program",
        RefineOutcome.DroppedMostlyRemoved => "mostly_removed",
        RefineOutcome.DroppedTooFewWords => "too_few_words",
        _ => "empty",
    };
}
