namespace ResearchKit;

/// <summary>Writes a file so that readers see either the old file or the whole new one, never a part.</summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> against a temporary path beside <paramref name="path"/>, then renames it
    /// into place; on failure the temporary file is deleted and the exception rethrown.</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Streams into a temporary file, then renames it into place.</summary>
    public static void Write(string path, Action<Stream> write) =>
        Write(path, tmp => { using var s = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16); write(s); });

    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));
}
