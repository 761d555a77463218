using ResearchKit.Models;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Models;

public sealed class Llama2ChatTemplateTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "rk-spm-" + Guid.NewGuid().ToString("N"));
    readonly SentencePieceTextTokenizer _tokenizer;

    public Llama2ChatTemplateTests()
    {
        Directory.CreateDirectory(_dir);
        SentencePieceTestModel.Write(Path.Combine(_dir, "tokenizer.model"));
        _tokenizer = SentencePieceTextTokenizer.Load(Path.Combine(_dir, "tokenizer.model"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RendersLlama2ChatWithTheSystemMessageAndPythonStrip()
    {
        Assert.Equal("[INST] <<SYS>>\nYou are a helpful, respectful and honest assistant.\n<</SYS>>\n\nHello world [/INST]",
                     Llama2ChatTemplate.Render(Llama2ChatTemplate.ProxSystemMessage, "Hello world"));
        // content.strip() eats the message's trailing whitespace, including U+001F that .NET's Trim keeps ...
        Assert.Equal("[INST] <<SYS>>\ns\n<</SYS>>\n\n  x [/INST]", Llama2ChatTemplate.Render("s", "  x \n\t\u001f"));
        // ... and, for a blank message, the blank line after <</SYS>> as well.
        Assert.Equal("[INST] <<SYS>>\ns\n<</SYS>> [/INST]", Llama2ChatTemplate.Render("s", " \n "));
    }

    [Fact]
    public void SentencePieceRoundTripsWithDummyPrefixAndByteFallback()
    {
        Assert.Equal(SentencePieceTestModel.VocabSize, _tokenizer.VocabSize);
        Assert.Equal((1, 2), (_tokenizer.BeginningOfText, _tokenizer.EndOfText));
        var ids = _tokenizer.Encode("the theme");
        // "▁the" and "▁th" + "e" + "m" + "e": merges by score, the dummy prefix makes the first word "▁the".
        string Piece(int id) => id >= 259 ? SentencePieceTestModel.Pieces[id - 259] : $"<{id}>";
        Assert.Equal("▁the ▁the m e", string.Join(" ", ids.Select(Piece)));
        const string text = "Grüße, [doc]\n[000]x\ty </s> <s>";
        var roundTrip = _tokenizer.Encode(text);
        Assert.DoesNotContain(1, roundTrip);   // "<s>" in a document is text, never BOS
        Assert.DoesNotContain(2, roundTrip);
        Assert.Equal(text, _tokenizer.Decode(roundTrip));
        Assert.Equal("ab", _tokenizer.Decode([1, .. _tokenizer.Encode("ab"), 2]));   // special ids are skipped
    }

    [Fact]
    public void EncodesBosThenTheTemplateAndTruncatesTheHeadKept()
    {
        const string doc = "The first line\nthe second line";
        var ids = Llama2ChatTemplate.Encode(_tokenizer, Llama2ChatTemplate.ProxSystemMessage, doc);
        Assert.Equal(1, ids[0]);
        Assert.NotEqual(1, ids[1]);
        Assert.Equal(Llama2ChatTemplate.Render(Llama2ChatTemplate.ProxSystemMessage, doc), _tokenizer.Decode(ids));
        var cut = Llama2ChatTemplate.Encode(_tokenizer, Llama2ChatTemplate.ProxSystemMessage, doc, maxTokens: 20);
        Assert.Equal(ids[..20], cut);
        Assert.Equal([1, 1, .. ids[1..]], Llama2ChatTemplate.Encode(_tokenizer, Llama2ChatTemplate.ProxSystemMessage, doc, leadingBos: 2));
    }

    [Fact]
    public void BadTokenizerFilesAreNamed()
    {
        var path = Path.Combine(_dir, "broken.model");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0x01, 0x02]);
        Assert.Equal(path, Assert.Throws<DataFormatException>(() => SentencePieceTextTokenizer.Load(path)).File);
        Assert.Throws<FileNotFoundException>(() => SentencePieceTextTokenizer.Load(Path.Combine(_dir, "absent.model")));
    }
}
