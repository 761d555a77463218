using Google.Protobuf;

namespace ResearchKit.Tests.Models;

/// <summary>Writes a small but real SentencePiece BPE model file (the protobuf ModelProto that Llama's
/// tokenizer.model is): &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, the 256 byte-fallback pieces, single characters and a few
/// scored merges, with Llama's normalizer settings (dummy prefix, whitespace as "▁", no whitespace folding).</summary>
static class SentencePieceTestModel
{
    public const int Unk = 0, Bos = 1, Eos = 2;

    /// <summary>Pieces after the byte pieces (ids 259...): characters first, then merges by descending score.</summary>
    public static readonly string[] Pieces =
    [
        "▁", .. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789[]<>/_().,:;!?-'\"=#".Select(c => c.ToString()),
        "▁t", "th", "▁th", "he", "▁the", "in", "er", "▁a", "on", "IN", "INS", "INST", "SY", "SYS", "<<", ">>", "do", "doc", "_doc", "()",
    ];

    public static int VocabSize => 3 + 256 + Pieces.Length;

    public static void Write(string path)
    {
        using var file = File.Create(path);
        var output = new CodedOutputStream(file);
        void Piece(string text, float score, int type) => Message(output, 1, m =>
        {
            m.WriteTag(1, WireFormat.WireType.LengthDelimited); m.WriteString(text);
            m.WriteTag(2, WireFormat.WireType.Fixed32); m.WriteFloat(score);
            m.WriteTag(3, WireFormat.WireType.Varint); m.WriteEnum(type);
        });
        const int normal = 1, unknown = 2, control = 3, bytePiece = 6;
        Piece("<unk>", 0, unknown);
        Piece("<s>", 0, control);
        Piece("</s>", 0, control);
        for (int b = 0; b < 256; b++) Piece($"<0x{b:X2}>", 0, bytePiece);
        for (int i = 0; i < Pieces.Length; i++) Piece(Pieces[i], -i, normal);
        Message(output, 2, m =>   // TrainerSpec
        {
            m.WriteTag(3, WireFormat.WireType.Varint); m.WriteEnum(2);          // model_type = BPE
            m.WriteTag(4, WireFormat.WireType.Varint); m.WriteInt32(VocabSize);
            m.WriteTag(35, WireFormat.WireType.Varint); m.WriteBool(true);      // byte_fallback
            m.WriteTag(40, WireFormat.WireType.Varint); m.WriteInt32(Unk);
            m.WriteTag(41, WireFormat.WireType.Varint); m.WriteInt32(Bos);
            m.WriteTag(42, WireFormat.WireType.Varint); m.WriteInt32(Eos);
        });
        Message(output, 3, m =>   // NormalizerSpec
        {
            m.WriteTag(1, WireFormat.WireType.LengthDelimited); m.WriteString("identity");
            m.WriteTag(3, WireFormat.WireType.Varint); m.WriteBool(true);       // add_dummy_prefix
            m.WriteTag(4, WireFormat.WireType.Varint); m.WriteBool(false);      // remove_extra_whitespaces
            m.WriteTag(5, WireFormat.WireType.Varint); m.WriteBool(true);       // escape_whitespaces
        });
        output.Flush();
    }

    static void Message(CodedOutputStream output, int field, Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        var inner = new CodedOutputStream(buffer);
        write(inner);
        inner.Flush();
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(buffer.ToArray()));
    }
}
