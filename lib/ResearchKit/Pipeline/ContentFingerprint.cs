using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>
/// The content identity of a corpus: SHA-256 over the SHA-256 of each of its files (in reading order; names and paths
/// do not count). A file's hash is cached by (full path, length, last write time), in memory and under
/// <c>~/.cache/researchkit/fingerprints/</c>, so a large corpus is read once, not at every run.
/// </summary>
public static class ContentFingerprint
{
    static readonly ConcurrentDictionary<string, string> Memory = new();

    /// <summary>The fingerprint of a corpus file, directory or glob (see <see cref="CorpusReader.Files"/>).</summary>
    public static string Of(string corpus)
    {
        var files = CorpusReader.Files(corpus);
        if (files.Count == 1) return OfFile(files[0]);
        var all = new StringBuilder();
        foreach (var f in files) all.Append(OfFile(f)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all.ToString())));
    }

    /// <summary>The lower-case hex SHA-256 of a file's bytes.</summary>
    public static string OfFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: no such file", path);
        var identity = $"{info.FullName}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}";
        if (Memory.TryGetValue(identity, out var known)) return known;
        var cacheFile = Path.Combine(CacheDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity))));
        if (File.Exists(cacheFile) && File.ReadAllText(cacheFile).Trim() is { Length: 64 } cached) return Memory[identity] = cached;
        string hash;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20)) hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        try { AtomicFile.WriteAllText(cacheFile, hash); }
        catch (IOException) { }                      // a read-only home only costs a re-hash next time
        catch (UnauthorizedAccessException) { }
        return Memory[identity] = hash;
    }

    static string CacheDirectory => Path.Combine(
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
        "researchkit", "fingerprints");
}
