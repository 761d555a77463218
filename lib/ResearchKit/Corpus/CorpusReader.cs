namespace ResearchKit.Corpus;

/// <summary>Streams documents from corpus shards: .parquet (a row group at a time), .jsonl, .jsonl.zst / .json.zst
/// (a line at a time). Memory stays bounded whatever the input size.</summary>
public static class CorpusReader
{
    /// <summary>Reads a file, a directory (its corpus files, sorted by name) or a glob such as "shards/*.parquet".
    /// Each enumeration reopens the files, so the result can be enumerated more than once.</summary>
    /// <param name="mapping">Input columns; <see cref="ColumnMapping.Native"/> when null.</param>
    /// <exception cref="DataFormatException">A record is malformed or a file is empty; names file, record and field.</exception>
    public static IEnumerable<Document> Read(string path, ColumnMapping? mapping = null)
    {
        var files = Files(path);
        mapping ??= ColumnMapping.Native;
        return files.SelectMany(f => ReadFile(f, mapping));
    }

    /// <summary>The corpus files <paramref name="path"/> names, in the order <see cref="Read"/> visits them.</summary>
    public static IReadOnlyList<string> Files(string path)
    {
        if (File.Exists(path)) { CorpusFormats.FromPath(path); return [path]; }
        string dir, pattern;
        if (Directory.Exists(path)) (dir, pattern) = (path, "*");
        else if (Path.GetFileName(path).IndexOfAny(['*', '?']) >= 0)
            (dir, pattern) = (Path.GetDirectoryName(path) is { Length: > 0 } d ? d : ".", Path.GetFileName(path));
        else throw new FileNotFoundException($"{path}: no such corpus file or directory", path);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"{dir}: no such directory");
        var files = Directory.EnumerateFiles(dir, pattern)
            .Where(f => CorpusFormats.TryFromPath(f) is not null)
            .Order(StringComparer.Ordinal).ToArray();
        // A glob is taken as written; a plain folder reads only its own files, so subfolders holding shards are named.
        var subfolders = !Directory.Exists(path) ? [] : Directory.EnumerateDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
            throw new FileNotFoundException($"{path}: no corpus files (.parquet, .jsonl, .jsonl.zst, .json.zst)" +
                                            (subfolders.Length > 0 ? $"; subfolders are not read: give one of them ({string.Join(", ", subfolders.Take(3).Select(Path.GetFileName))}) or a glob" : ""), path);
        foreach (var sub in subfolders)
        {
            int inside = Directory.EnumerateFiles(sub, "*", SearchOption.AllDirectories).Count(f => CorpusFormats.TryFromPath(f) is not null);
            if (inside > 0)
                KitWarnings.Report($"{sub}: subfolder not read ({inside} corpus file(s) inside); {path} gives only the {files.Length} file(s) directly in {dir}: " +
                                   "pass the subfolder, or a glob such as '<folder>/*/*.parquet', to read them");
        }
        return files;
    }

    static IEnumerable<Document> ReadFile(string file, ColumnMapping mapping) => CorpusFormats.FromPath(file) switch
    {
        CorpusFormat.Parquet => ParquetCorpus.Read(file, mapping),
        CorpusFormat.Jsonl => JsonlCorpus.Read(file, mapping, zstd: false),
        _ => JsonlCorpus.Read(file, mapping, zstd: true),
    };
}
