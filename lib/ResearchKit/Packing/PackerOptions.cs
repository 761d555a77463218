namespace ResearchKit.Packing;

/// <summary>How documents become window tokens, whatever the packing.</summary>
/// <param name="IncludePrefixes">Place each document's loss-masked prefix (MeCo metadata) before its body.</param>
/// <param name="RepeatPrefix">When a document continues into another window, start that window with the document's
/// prefix again (masked), so every trained token of the document has its metadata in view.</param>
/// <param name="TrainEndOfText">Whether the end-of-text token after each document is a prediction target (MeCo
/// trains it; DoReMi's reference masks it).</param>
/// <param name="DocumentStart">Begin each document (and, with <paramref name="RepeatPrefix"/>, each continuation window)
/// with a start token that is never a target, as MeCo's reference does with BOS. The kit's vocabularies have no
/// separate BOS, so the end-of-text id serves (as in GPT-2).</param>
public sealed record PackerOptions(bool IncludePrefixes = true, bool RepeatPrefix = false, bool TrainEndOfText = true, bool DocumentStart = false);
