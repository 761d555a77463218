namespace ResearchKit;

/// <summary>Writes a file so that readers see either the old file or the whole new one, never a part.</summary>
public static class AtomicFile
{
    /// <summary>Runs <paramref name="write"/> against a temporary path beside <paramref name="path"/>, then renames it
    /// into place; on failure the temporary file is deleted and the exception rethrown (a full disk as one message that
    /// names <paramref name="path"/>). Temporaries of <paramref name="path"/> left by killed processes are removed first.</summary>
    public static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"{full} is a folder; a file is to be written there: choose a file path");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        OrphanTemporaries.RemoveFiles(full);
        var tmp = $"{full}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw new DiskFullException(full, e);
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

    /// <summary>ENOSPC (28) or EDQUOT (122) on Linux, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.</summary>
    internal static bool IsDiskFull(Exception e) =>
        e is DiskFullException || (e is IOException && (e.HResult is 28 or 122 || (e.HResult & 0xFFFF) is 0x70 or 0x27
                                                          || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>The disk filled up while <see cref="File"/> was being written; nothing was left behind.</summary>
public sealed class DiskFullException(string file, Exception inner)
    : IOException($"{file}: the disk is full (no space left on device) while writing it; nothing was written (the temporary file was removed): " +
                  "free some space or write to another disk, then run again", inner)
{
    public string File { get; } = file;
}
