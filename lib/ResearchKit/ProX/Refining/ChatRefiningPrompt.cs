using ResearchKit.Models;
using ResearchKit.Tokenization;

namespace ResearchKit.ProX.Refining;

/// <summary>The released ProX refining models' prompt: the Llama-2 chat template with the system message "You are a
/// helpful, respectful and honest assistant." and the user message, cut to <see cref="MaxTokens"/> (2000 at document
/// level, none at chunk level, as the reference).</summary>
public sealed class ChatRefiningPrompt(SentencePieceTextTokenizer tokenizer, int? maxTokens, string systemMessage = Llama2ChatTemplate.ProxSystemMessage, int leadingBos = 1) : IRefiningPrompt
{
    /// <summary>The reference's document-level prompt budget (apply_chat_template(..., truncation=True, max_length=2000)).</summary>
    public const int DocumentMaxTokens = 2000;

    public int? MaxTokens => maxTokens;

    public PromptTokens Encode(string userMessage)
    {
        var full = Llama2ChatTemplate.Encode(tokenizer, systemMessage, userMessage, maxTokens: null, leadingBos);
        return maxTokens is { } max && full.Length > max ? new PromptTokens(full[..max], true) : new PromptTokens(full, false);
    }
}
