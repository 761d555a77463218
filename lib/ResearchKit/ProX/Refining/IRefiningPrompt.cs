namespace ResearchKit.ProX.Refining;

/// <summary>Prompt token ids, and whether the text was cut to fit a token budget.</summary>
public readonly record struct PromptTokens(int[] Ids, bool Truncated);

/// <summary>How a refining model sees its input: the user message (a document, or a "[doc]…[/doc]"-wrapped chunk)
/// turned into prompt token ids. Training and inference of one model must use the same prompt.</summary>
public interface IRefiningPrompt
{
    PromptTokens Encode(string userMessage);
}
