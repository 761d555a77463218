using System.Text;
using ResearchKit.Tokenization;

namespace ResearchKit.Cli;

/// <summary>
/// The one place `rk train` gets its tokens from. Until the corpus-io token-dataset reader lands, a data path is a
/// directory of UTF-8 text files, one document per file, the domain being the file's parent directory name,
/// tokenized as bytes (ids 0-255, end-of-text 256). Swap <see cref="Load"/> for the on-disk reader when merged.
/// </summary>
public static class TrainingData
{
    public const int ByteVocab = 257, ByteEndOfText = 256;

    public static ITokenDataset Load(string path) => FromTextDirectory(path);

    public static ITokenDataset FromTextDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no such data directory");
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".txt" or ".md" or ".cs" or ".py")
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DataFormatException(directory, null, null, "no .txt/.md/.cs/.py files to train on");
        return FromTexts(files.Select(f => (Path.GetFileName(Path.GetDirectoryName(f)!), File.ReadAllText(f, Encoding.UTF8))));
    }

    /// <summary>Byte-tokenizes (domain, text) pairs into an in-memory dataset.</summary>
    public static InMemoryTokenDataset FromTexts(IEnumerable<(string Domain, string Text)> documents)
    {
        var docs = documents.ToList();
        var data = new InMemoryTokenDataset(docs.Select(d => d.Domain), ByteVocab, ByteEndOfText);
        foreach (var (domain, text) in docs)
            data.Add(domain, Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray());
        return data;
    }
}
