using System.Diagnostics;

namespace ResearchKit;

/// <summary>
/// Removes the temporaries a killed run left beside an output it owned: <c>&lt;file&gt;.tmp-&lt;pid&gt;-&lt;guid&gt;</c> files
/// (<see cref="AtomicFile"/>) and <c>.tmp-&lt;name&gt;-&lt;pid&gt;-&lt;guid&gt;</c> folders (ablation results). Only those whose
/// process is gone: a live writer's temporary is left alone.
/// </summary>
static class OrphanTemporaries
{
    /// <summary>Deletes dead processes' temporaries of the file <paramref name="fullPath"/>.</summary>
    public static void RemoveFiles(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        var prefix = Path.GetFileName(fullPath) + ".tmp-";
        if (!Directory.Exists(dir)) return;
        foreach (var file in Directory.EnumerateFiles(dir, prefix + "*"))
            if (IsOrphan(Path.GetFileName(file)[prefix.Length..])) TryDelete(() => File.Delete(file));
    }

    /// <summary>Deletes dead processes' temporary folders <c>&lt;parent&gt;/.tmp-&lt;name&gt;-*</c>.</summary>
    public static void RemoveFolders(string parent, string name)
    {
        var prefix = $".tmp-{name}-";
        if (!Directory.Exists(parent)) return;
        foreach (var dir in Directory.EnumerateDirectories(parent, prefix + "*"))
            if (IsOrphan(Path.GetFileName(dir)[prefix.Length..])) TryDelete(() => Directory.Delete(dir, recursive: true));
    }

    /// <summary>"&lt;pid&gt;-&lt;32 hex&gt;" whose process no longer runs.</summary>
    static bool IsOrphan(string suffix)
    {
        int dash = suffix.IndexOf('-');
        if (dash <= 0 || suffix.Length - dash - 1 != 32 || !int.TryParse(suffix.AsSpan(0, dash), out var pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; }   // no such process
        catch (InvalidOperationException) { return true; }
    }

    static void TryDelete(Action delete)
    {
        try { delete(); }
        catch (IOException) { }                 // another run cleaned it first
        catch (UnauthorizedAccessException) { }
    }
}
