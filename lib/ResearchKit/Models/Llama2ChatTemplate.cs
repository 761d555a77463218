using ResearchKit.Tokenization;

namespace ResearchKit.Models;

/// <summary>
/// Llama-2-chat's chat template (meta-llama/Llama-2-7b-chat-hf's tokenizer_config.json) for one system and one user
/// message with add_generation_prompt: <c>bos_token + "[INST] " + content.strip() + " [/INST]"</c> where
/// content = <c>"&lt;&lt;SYS&gt;&gt;\n" + system + "\n&lt;&lt;/SYS&gt;&gt;\n\n" + user</c>. Python's
/// <c>str.strip()</c> removes trailing whitespace of the user message (all of it, and the blank line after
/// &lt;&lt;/SYS&gt;&gt;, when the message is blank). The ProX refining models are prompted with it.
/// </summary>
public static class Llama2ChatTemplate
{
    /// <summary>The system message of the ProX refining prompts.</summary>
    public const string ProxSystemMessage = "You are a helpful, respectful and honest assistant.";

    /// <summary>The rendered prompt after the BOS token.</summary>
    public static string Render(string systemMessage, string userMessage) =>
        "[INST] " + PythonStrip("<<SYS>>\n" + systemMessage + "\n<</SYS>>\n\n" + userMessage) + " [/INST]";

    /// <summary>Token ids as Hugging Face's apply_chat_template(tokenize=True) gives them: the BOS id (the template's
    /// "&lt;s&gt;"), then the SentencePiece encoding of the rendered text (with the model's dummy-prefix "▁"),
    /// cut to the first <paramref name="maxTokens"/> when given (truncation=True keeps the head, so a long document
    /// loses its end and the closing [/INST], as in the reference).</summary>
    /// <param name="leadingBos">BOS ids in front: 1 as apply_chat_template(tokenize=True); 2 reproduces a templated
    /// string that vLLM encodes again with its own BOS (the reference's chunk stage, tokenize=False).</param>
    public static int[] Encode(SentencePieceTextTokenizer tokenizer, string systemMessage, string userMessage, int? maxTokens = null, int leadingBos = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leadingBos);
        var ids = Enumerable.Repeat(tokenizer.BeginningOfText, leadingBos).Concat(tokenizer.Encode(Render(systemMessage, userMessage))).ToArray();
        return maxTokens is { } max && ids.Length > max ? ids[..max] : ids;
    }

    /// <summary>Python's str.strip(): .NET's char.IsWhiteSpace plus U+001C..U+001F, which Python also counts as
    /// whitespace.</summary>
    public static string PythonStrip(string text)
    {
        static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001c' and <= '\u001f';
        int start = 0, end = text.Length;
        while (start < end && IsSpace(text[start])) start++;
        while (end > start && IsSpace(text[end - 1])) end--;
        return text[start..end];
    }
}
