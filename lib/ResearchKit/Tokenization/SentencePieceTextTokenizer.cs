using Microsoft.ML.Tokenizers;

namespace ResearchKit.Tokenization;

/// <summary>
/// A SentencePiece model file (<c>tokenizer.model</c>, e.g. Llama-2's 32000-piece BPE with byte fallback) through
/// Microsoft.ML.Tokenizers' <see cref="LlamaTokenizer"/>. <see cref="Encode"/> adds no BOS/EOS and treats the text as
/// plain text: "&lt;s&gt;" inside a document is characters, never the BOS id. <see cref="Decode"/> drops
/// BOS/EOS/UNK ids, like Hugging Face's <c>skip_special_tokens=True</c>.
/// </summary>
public sealed class SentencePieceTextTokenizer : TextTokenizer
{
    readonly LlamaTokenizer _tokenizer;

    SentencePieceTextTokenizer(LlamaTokenizer tokenizer, string name)
    {
        _tokenizer = tokenizer;
        Name = name;
        VocabSize = tokenizer.Vocabulary.Values.Max() + 1;
    }

    /// <summary>Reads a SentencePiece model file; a missing or unreadable file is an error naming it.</summary>
    public static SentencePieceTextTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such file (the SentencePiece model, tokenizer.model)", path);
        try
        {
            using var stream = File.OpenRead(path);
            return new SentencePieceTextTokenizer(LlamaTokenizer.Create(stream, addBeginOfSentence: false, addEndOfSentence: false), $"sentencepiece:{Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))}");
        }
        catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or ArgumentException or InvalidOperationException)
        {
            throw new DataFormatException(path, null, null, $"not a SentencePiece model: {e.Message}", e);
        }
    }

    public override string Name { get; }
    public override int VocabSize { get; }
    /// <summary>The model's EOS (&lt;/s&gt;, id 2 for Llama).</summary>
    public override int EndOfText => _tokenizer.EndOfSentenceId;
    /// <summary>The model's BOS (&lt;s&gt;, id 1 for Llama).</summary>
    public int BeginningOfText => _tokenizer.BeginningOfSentenceId;

    /// <summary>Ids of <paramref name="text"/> with the model's normalization (Llama: a dummy-prefix "▁", spaces as
    /// "▁", unknown characters as UTF-8 byte pieces), no BOS or EOS.</summary>
    public override int[] Encode(string text) => [.. _tokenizer.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false)];

    /// <summary>Bytes per piece: "▁" counts as a space, byte-fallback pieces (&lt;0x41&gt;) as one byte, BOS/EOS/UNK as none.
    /// The dummy-prefix space the model adds before a text is counted too (one byte more per encoded text than the text has).</summary>
    public override int[] TokenByteLengths()
    {
        var lengths = new int[VocabSize];
        foreach (var (piece, id) in _tokenizer.Vocabulary)
            lengths[id] = piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece.EndsWith('>') ? 1
                : System.Text.Encoding.UTF8.GetByteCount(piece.Replace('\u2581', ' '));
        foreach (var special in new[] { _tokenizer.BeginningOfSentenceId, _tokenizer.EndOfSentenceId, _tokenizer.UnknownId }) lengths[special] = 0;
        return lengths;
    }

    public override string Decode(ReadOnlySpan<int> ids) => _tokenizer.Decode(ids.ToArray(), considerSpecialTokens: false);
}
