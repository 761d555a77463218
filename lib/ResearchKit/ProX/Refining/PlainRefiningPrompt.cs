using ResearchKit.Tokenization;

namespace ResearchKit.ProX.Refining;

/// <summary>
/// The kit's own refining models' prompt: the user message's tokens, cut to fit, then a separator after which the
/// program follows. The separator is never cut, so the model always sees where the program starts (unlike the
/// reference's chat prompt, whose [/INST] a long document pushes out).
/// </summary>
public sealed class PlainRefiningPrompt : IRefiningPrompt
{
    public const string DefaultSeparator = "\n[program]\n";
    readonly TextTokenizer _tokenizer;
    readonly int[] _separator;

    /// <param name="maxTokens">Most prompt tokens, separator included.</param>
    public PlainRefiningPrompt(TextTokenizer tokenizer, int maxTokens, string separator = DefaultSeparator)
    {
        _tokenizer = tokenizer;
        _separator = tokenizer.Encode(separator);
        if (_separator.Length == 0) throw new ArgumentException("the separator must not be empty", nameof(separator));
        if (maxTokens <= _separator.Length)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), $"a prompt of {maxTokens} tokens leaves no room for text beside the {_separator.Length}-token separator");
        MaxTokens = maxTokens;
        Separator = separator;
    }

    public int MaxTokens { get; }
    public string Separator { get; }

    public PromptTokens Encode(string userMessage)
    {
        var text = _tokenizer.Encode(userMessage);
        int room = MaxTokens - _separator.Length;
        bool cut = text.Length > room;
        return new PromptTokens([.. cut ? text[..room] : text, .. _separator], cut);
    }
}
