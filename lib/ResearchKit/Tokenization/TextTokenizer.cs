namespace ResearchKit.Tokenization;

/// <summary>A tokenizer as the kit uses it: text to ids and back, with one end-of-text id for packing.</summary>
public abstract class TextTokenizer
{
    /// <summary>Registry name, e.g. "bytes", "cl100k_base", "o200k_base".</summary>
    public abstract string Name { get; }
    /// <summary>Number of ids the model's embedding must hold (including special ids).</summary>
    public abstract int VocabSize { get; }
    /// <summary>The id appended after each document.</summary>
    public abstract int EndOfText { get; }
    public abstract int[] Encode(string text);
    public abstract string Decode(ReadOnlySpan<int> ids);

    /// <summary>UTF-8 bytes of text each id stands for (0 for special ids such as end-of-text): the denominator of bits
    /// per byte, which compares models across tokenizers.</summary>
    public abstract int[] TokenByteLengths();
}
