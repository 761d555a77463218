namespace ResearchKit.Evaluation;

/// <summary>How a validation set is scored.</summary>
/// <param name="DocumentMask">Attention inside documents only: use the setting the model was trained with.</param>
/// <param name="Prefixes">Keep the documents' loss-masked prefixes as context (MeCo with metadata).</param>
/// <param name="MaxTokens">Score at most this many window tokens (a budget for large validation sets); null = all.</param>
/// <param name="TokenBytes">UTF-8 bytes per token id (<see cref="Tokenization.TextTokenizer.TokenByteLengths"/>) for bits
/// per byte; null = nats per token only.</param>
/// <param name="Documents">Which documents to score, in this order (e.g. <see cref="EvaluationBudget.EvenlySpaced"/>); null = all.</param>
/// <param name="DocumentStart">Begin each document with the masked start token, as the model was trained (<see cref="Training.DataConfig.DocumentStart"/>).</param>
public sealed record EvalOptions(bool DocumentMask = true, bool Prefixes = false, int BatchSize = 16, long? MaxTokens = null, int[]? TokenBytes = null,
    IReadOnlyList<int>? Documents = null, bool DocumentStart = false);
