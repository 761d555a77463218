using ResearchKit.Packing;

namespace ResearchKit.Training;

/// <summary>What training windows are made of and how they are drawn.</summary>
public sealed record DataConfig
{
    /// <summary>How documents share windows and whether attention crosses document borders (<see cref="PackingSpec.DocumentMask"/>).</summary>
    public PackingSpec Packing { get; init; } = new ConcatPacking();
    /// <summary>Sampling weight per domain (e.g. DoReMi's output); null = natural proportions (one mixed stream).</summary>
    public IReadOnlyList<double>? DomainWeights { get; init; }
    /// <summary>Place the datasets' loss-masked prefixes (MeCo metadata) before each document.</summary>
    public bool Prefixes { get; init; } = true;
    /// <summary>Start every continuation window of a document with its prefix again (see <see cref="PackerOptions.RepeatPrefix"/>).</summary>
    public bool RepeatPrefix { get; init; }
    /// <summary>Train the end-of-text token after each document (false: it stays in the window but is never a target).</summary>
    public bool TrainEndOfText { get; init; } = true;
    /// <summary>Begin each document with a start token that is never a target (MeCo's BOS; the end-of-text id serves).</summary>
    public bool DocumentStart { get; init; }
    /// <summary>What to do with a window in which no target carries loss (all prefix, say).</summary>
    public MaskedWindows MaskedWindows { get; init; } = MaskedWindows.Skip;

    public PackerOptions PackerOptions => new(Prefixes, RepeatPrefix, TrainEndOfText, DocumentStart);
}

/// <summary>Handling of a training window whose targets are all loss-masked.</summary>
public enum MaskedWindows
{
    /// <summary>Draw the next window instead and count the skipped one (<see cref="StepMetrics.SkippedWindows"/>).</summary>
    Skip,
    /// <summary>The MeCo reference's behaviour: train its last 10 targets anyway.</summary>
    TrainLastTen,
}

/// <summary>
/// A change of data settings from a fraction of training on (MeCo's cooldown drops metadata prefixes for the last
/// 10%). The same window stream continues (same document order and position); optimizer state and the LR schedule
/// carry on unchanged. Null fields keep their value.
/// </summary>
/// <param name="AtFraction">Fraction of total steps after which the phase starts (0.9 = the last 10%).</param>
public sealed record PhaseSpec(double AtFraction, bool? Prefixes = null, IReadOnlyList<double>? DomainWeights = null)
{
    /// <summary>The first step of the phase: round(total·fraction), clamped to [0, total]. MeCo: 40,000 steps at 0.9 gives 36,000.</summary>
    public int StartStep(int totalSteps)
    {
        if (AtFraction is < 0 or > 1 || double.IsNaN(AtFraction)) throw new ArgumentOutOfRangeException(nameof(AtFraction), AtFraction, "a phase starts at a fraction in [0, 1]");
        return (int)Math.Clamp(Math.Round(totalSteps * AtFraction, MidpointRounding.AwayFromZero), 0, totalSteps);
    }
}
