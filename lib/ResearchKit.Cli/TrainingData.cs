using ResearchKit.Tokenization;

namespace ResearchKit.Cli;

/// <summary>
/// The one place `rk train` gets its tokens from: a token shard written by <c>rk tokenize</c> (memory-mapped),
/// or, for quick runs, a directory of UTF-8 text files (one document per file, domain = the file's folder name)
/// tokenized here with the byte tokenizer.
/// </summary>
public static class TrainingData
{
    public static ITokenDataset Load(string path) =>
        File.Exists(path) ? MappedTokenDataset.Open(path)
        : Directory.Exists(path) ? FromTextDirectory(path)
        : throw new FileNotFoundException($"{path}: no such token shard or text directory");

    public static ITokenDataset FromTextDirectory(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".txt" or ".md" or ".cs" or ".py")
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DataFormatException(directory, null, null, "no .txt/.md/.cs/.py files to train on");
        return FromTexts(files.Select(f => (Path.GetFileName(Path.GetDirectoryName(f)!), File.ReadAllText(f))));
    }

    /// <summary>Byte-tokenizes (domain, text) pairs into an in-memory dataset.</summary>
    public static InMemoryTokenDataset FromTexts(IEnumerable<(string Domain, string Text)> documents)
    {
        var docs = documents.ToList();
        var bytes = ByteTokenizer.Instance;
        var data = new InMemoryTokenDataset(docs.Select(d => d.Domain), bytes.VocabSize, bytes.EndOfText);
        foreach (var (domain, text) in docs) data.Add(domain, bytes.Encode(text));
        return data;
    }
}
