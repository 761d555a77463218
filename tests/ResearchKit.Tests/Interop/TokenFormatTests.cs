using System.Buffers.Binary;
using System.Text.Json.Nodes;
using ResearchKit.Interop;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Interop;

/// <summary>Megatron indexed datasets, llm.c and nanoGPT token files: literal golden bytes for a tiny dataset, and
/// readers written here from the formats' reference code (Megatron's _IndexReader, llm.c's dataloader header check)
/// that give back every document.</summary>
public sealed class TokenFormatTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    /// <summary>Bytes vocabulary (257 ids, end-of-text 256): [1 2 3] with prefix [200], [4], [], [255 0].</summary>
    static InMemoryTokenDataset Tiny(int vocab = 257, int eot = 256)
    {
        var d = new InMemoryTokenDataset(["web", "code"], vocab, eot);
        d.Add("web", [1, 2, 3], [200]);
        d.Add("code", [4]);
        d.Add("web", []);
        d.Add("code", [255, 0]);
        return d;
    }

    static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void MegatronBytesMatchTheLayoutIndexedDatasetPyWrites()
    {
        var s = MegatronIndexedDataset.Write(Tiny(), _dir["tiny"]);
        Assert.Equal((4L, 10L, 2), (s.Documents, s.Tokens, s.TokenBytes));
        // uint16 tokens, end-of-text after each document: 1 2 3 eot | 4 eot | eot | 255 0 eot
        Assert.Equal(Hex("0100 0200 0300 0001  0400 0001  0001  FF00 0000 0001"), File.ReadAllBytes(_dir["tiny.bin"]));
        Assert.Equal(Hex(
            "4D4D494449445800 00" +            // b"MMIDIDX\x00\x00"
            "0100000000000000" +               // version 1 (<Q)
            "08" +                             // dtype code: uint16 (<B)
            "0400000000000000" +               // sequence count (<Q)
            "0500000000000000" +               // document count = len(document_indices) (<Q)
            "04000000 02000000 01000000 03000000" +                                 // sequence lengths (int32)
            "0000000000000000 0800000000000000 0C00000000000000 0E00000000000000" + // pointers in bytes (int64)
            "0000000000000000 0100000000000000 0200000000000000 0300000000000000 0400000000000000"), // document indices (int64)
            File.ReadAllBytes(_dir["tiny.idx"]));
    }

    [Fact]
    public void LlmcBytesMatchWriteDatafileAndSplitIntoShards()
    {
        var s = LlmcTokenFile.Write(Tiny(), _dir["tiny"], new TokenExportOptions(IncludePrefixes: true), tokensPerFile: 7);
        Assert.Equal([_dir["tiny_000000.bin"], _dir["tiny_000001.bin"]], s.Files);
        // end-of-text before each document (fineweb.py), prefixes included: eot 200 1 2 3 eot 4 | eot eot 255 0
        static byte[] Header(int magic, int version, int count)
        {
            var h = new byte[1024];
            BinaryPrimitives.WriteInt32LittleEndian(h, magic); BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), version); BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), count);
            return h;
        }
        Assert.Equal([.. Header(20240520, 1, 7), .. Hex("0001 C800 0100 0200 0300 0001 0400")], File.ReadAllBytes(s.Files[0]));
        Assert.Equal([.. Header(20240520, 1, 4), .. Hex("0001 0001 FF00 0000")], File.ReadAllBytes(s.Files[1]));
        Assert.Equal(Hex("88 D8 34 01"), File.ReadAllBytes(s.Files[0])[..4]);   // 20240520 = 0x0134D888, little-endian as np.int32 writes it
    }

    [Fact]
    public void LargeVocabulariesUseInt32ForMegatronAndTheLlama3HeaderForLlmc()
    {
        var data = Tiny(vocab: 100_277, eot: 100_257);
        var m = MegatronIndexedDataset.Write(data, _dir["wide"]);
        Assert.Equal(4, m.TokenBytes);
        Assert.Equal(4, File.ReadAllBytes(_dir["wide.idx"])[17]);   // DType.int32
        Assert.Equal(Hex("01000000 02000000 03000000 A1870100"), File.ReadAllBytes(_dir["wide.bin"])[..16]);
        var l = LlmcTokenFile.Write(data, _dir["wide"]);
        var bytes = File.ReadAllBytes(l.Files[0]);
        Assert.Equal((20240801, 7, 10), (BinaryPrimitives.ReadInt32LittleEndian(bytes), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)), BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8))));
        Assert.Equal(100_257u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(1024)));
        Assert.Equal(1024 + 10 * 4, bytes.Length);
        var e = Assert.Throws<ArgumentException>(() => NanoGptTokenFile.Write(data, _dir["wide.bin"]));
        Assert.Contains("uint16", e.Message);
    }

    [Fact]
    public void NanoGptFilesAreHeaderlessUint16WithEndOfTextAfterEachDocument()
    {
        NanoGptTokenFile.Write(Tiny(), _dir["train.bin"]);
        Assert.Equal(Hex("0100 0200 0300 0001  0400 0001  0001  FF00 0000 0001"), File.ReadAllBytes(_dir["train.bin"]));
    }

    [Theory]
    [InlineData("bytes")]
    [InlineData("cl100k_base")]
    public void TheReferenceReadersGetBackEveryDocumentOfARealCorpus(string tokenizer)
    {
        var docs = ResearchKit.Corpus.CorpusSample.Take(ResearchKit.Corpus.CorpusReader.Read(Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet")), 60, seed: 9);
        var data = InMemoryTokenDataset.Tokenize(docs.ToList(), TextTokenizers.Create(tokenizer));
        MegatronIndexedDataset.Write(data, _dir["corpus"]);
        var read = ReadMegatron(_dir["corpus"]);
        Assert.Equal(data.DocumentCount, read.Count);
        for (int i = 0; i < data.DocumentCount; i++) Assert.Equal([.. data.Body(i).ToArray(), data.EndOfText], read[i]);

        var files = LlmcTokenFile.Write(data, _dir["llmc"], tokensPerFile: 5000).Files;
        var stream = files.SelectMany(ReadLlmc).ToList();
        var expected = Enumerable.Range(0, data.DocumentCount).SelectMany(i => new[] { data.EndOfText }.Concat(data.Body(i).ToArray())).ToList();
        Assert.Equal(expected, stream);
        Assert.True(files.Count > 1);
    }

    /// <summary>Megatron's _IndexReader and IndexedDataset.__getitem__, re-done: header, version, dtype code, counts,
    /// then lengths, pointers and document indices; each sequence read at its pointer.</summary>
    static List<int[]> ReadMegatron(string prefix)
    {
        var idx = File.ReadAllBytes(prefix + ".idx");
        Assert.Equal("MMIDIDX\0\0"u8.ToArray(), idx[..9]);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(idx.AsSpan(9)));
        byte code = idx[17];
        int size = code switch { 8 => 2, 4 => 4, _ => throw new InvalidDataException($"dtype code {code}") };
        long sequences = (long)BinaryPrimitives.ReadUInt64LittleEndian(idx.AsSpan(18));
        long documents = (long)BinaryPrimitives.ReadUInt64LittleEndian(idx.AsSpan(26));
        int at = 34;
        var lengths = Enumerable.Range(0, (int)sequences).Select(i => BinaryPrimitives.ReadInt32LittleEndian(idx.AsSpan(at + 4 * i))).ToArray();
        at += 4 * (int)sequences;
        var pointers = Enumerable.Range(0, (int)sequences).Select(i => BinaryPrimitives.ReadInt64LittleEndian(idx.AsSpan(at + 8 * i))).ToArray();
        at += 8 * (int)sequences;
        var docIndex = Enumerable.Range(0, (int)documents).Select(i => BinaryPrimitives.ReadInt64LittleEndian(idx.AsSpan(at + 8 * i))).ToArray();
        Assert.Equal(idx.Length, at + 8 * (int)documents);
        Assert.Equal(Enumerable.Range(0, (int)sequences + 1).Select(i => (long)i), docIndex);
        var bin = File.ReadAllBytes(prefix + ".bin");
        return Enumerable.Range(0, (int)sequences).Select(s => Enumerable.Range(0, lengths[s]).Select(k =>
            size == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bin.AsSpan((int)pointers[s] + 2 * k)) : BinaryPrimitives.ReadInt32LittleEndian(bin.AsSpan((int)pointers[s] + 4 * k))).ToArray()).ToList();
    }

    /// <summary>llm.c's dataloader: 256-int32 header, magic 20240520 (uint16) or 20240801 (uint32), token count, tokens.</summary>
    static IEnumerable<int> ReadLlmc(string file)
    {
        var b = File.ReadAllBytes(file);
        int magic = BinaryPrimitives.ReadInt32LittleEndian(b), n = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(8));
        int size = magic switch { 20240520 => 2, 20240801 => 4, _ => throw new InvalidDataException($"magic {magic}") };
        Assert.Equal(1024 + (long)n * size, b.Length);
        return Enumerable.Range(0, n).Select(i => size == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(1024 + 2 * i)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(1024 + 4 * i)));
    }

    [Fact]
    public void AMixtureIsANormalisedBlendLineOverFileSafeDomainPrefixes()
    {
        var mixture = Mixture.FromWeights(new Dictionary<string, double> { ["web"] = 3, ["arxiv"] = 1, ["python/docs"] = 4 }, "/data/tok_{domain}");
        Assert.Equal("0.125 /data/tok_arxiv 0.5 /data/tok_python_docs 0.375 /data/tok_web", mixture.BlendLine);
        var json = JsonNode.Parse(mixture.ToJson())!;
        Assert.Equal(0.375, json["weights"]!["web"]!.GetValue<double>());
        Assert.Equal(["0.125", "/data/tok_arxiv", "0.5", "/data/tok_python_docs", "0.375", "/data/tok_web"], json["data_path"]!.AsArray().Select(n => n!.GetValue<string>()));

        File.WriteAllText(_dir["avg_domain_weights.json"], """{"a": 0.2, "b": 0.8}""");
        Assert.Equal("0.2 p_a 0.8 p_b", Mixture.FromWeights(Mixture.ReadWeights(_dir["avg_domain_weights.json"]), "p_{domain}").BlendLine);
        ResearchKit.Packing.DomainWeights.Write(_dir["domain_weights.json"], ["a", "b"], [0.25, 0.75]);   // what a Group-DRO run writes
        Assert.Equal("0.25 p_a 0.75 p_b", Mixture.FromWeights(Mixture.ReadWeights(_dir["domain_weights.json"]), "p_{domain}").BlendLine);
        Assert.Throws<ArgumentException>(() => Mixture.FromWeights(new Dictionary<string, double> { ["a"] = -1 }, "{domain}"));
        Assert.Throws<ArgumentException>(() => Mixture.FromWeights(new Dictionary<string, double> { ["a"] = 1 }, "/no/placeholder"));
        File.WriteAllText(_dir["bad.json"], "[1, 2]");
        Assert.Equal(_dir["bad.json"], Assert.Throws<DataFormatException>(() => Mixture.ReadWeights(_dir["bad.json"])).File);
    }
}
