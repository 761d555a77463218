namespace ResearchKit;

/// <summary>An exclusive advisory lock across processes: a file held open with no sharing; released when disposed or
/// when the process dies (so a killed run never leaves a stale lock).</summary>
static class FileLock
{
    /// <summary>Waits until the lock at <paramref name="path"/> is free, then holds it.</summary>
    public static FileStream Acquire(string path, CancellationToken cancellation = default, Action? waiting = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool reported = false;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (File.Exists(path))
            {
                if (!reported && clock.Elapsed > TimeSpan.FromSeconds(1)) { waiting?.Invoke(); reported = true; }
                Thread.Sleep(100);
            }
        }
    }
}
