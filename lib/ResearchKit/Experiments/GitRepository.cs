using System.Diagnostics;

namespace ResearchKit.Experiments;

/// <summary>The few git facts provenance and staleness checks need, read by running <c>git</c>; every method
/// returns null (never throws) where git is missing or the folder is not in a repository.</summary>
public static class GitRepository
{
    /// <summary>The repository's top folder that holds <paramref name="directory"/>.</summary>
    public static string? Root(string directory) => Git(directory, "rev-parse", "--show-toplevel");

    /// <summary>The full hash of HEAD.</summary>
    public static string? Head(string directory) => Git(directory, "rev-parse", "HEAD");

    /// <summary>Whether tracked files differ from HEAD (untracked files do not count).</summary>
    public static bool? HasLocalChanges(string directory) =>
        Git(directory, "status", "--porcelain", "--untracked-files=no") is { } status ? status.Length > 0 : null;

    /// <summary>The committer date of a commit.</summary>
    public static DateTimeOffset? CommitDate(string directory, string commit) =>
        Git(directory, "show", "-s", "--format=%cI", commit) is { } date && DateTimeOffset.TryParse(date, out var d) ? d : null;

    /// <summary>The newest commit that changed any of <paramref name="paths"/> (relative to the repository root or absolute).</summary>
    public static string? LastChange(string directory, IEnumerable<string> paths)
    {
        var list = paths.ToList();
        return list.Count == 0 ? null : Git(directory, ["log", "-1", "--format=%H", "--", .. list]) is { Length: > 0 } hash ? hash : null;
    }

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="commit"/> or one of its ancestors; null when
    /// either is unknown to this clone (e.g. a shallow one).</summary>
    public static bool? IsAncestor(string directory, string ancestor, string commit)
    {
        if (Git(directory, "cat-file", "-e", commit + "^{commit}") is null || Git(directory, "cat-file", "-e", ancestor + "^{commit}") is null) return null;
        return Run(directory, ["merge-base", "--is-ancestor", ancestor, commit]) is { ExitCode: 0 or 1 } r ? r.ExitCode == 0 : null;
    }

    /// <summary>A file's text at <paramref name="commit"/> (path relative to the repository root); null when absent.</summary>
    public static string? Show(string directory, string commit, string path) => Git(directory, "show", $"{commit}:{path}");

    /// <summary>Whether this clone has only part of the history (CI checkouts often do).</summary>
    public static bool? IsShallow(string directory) => Git(directory, "rev-parse", "--is-shallow-repository") is { } s ? s == "true" : null;

    static string? Git(string directory, params string[] args) => Run(directory, args) is { ExitCode: 0 } r ? r.Output : null;

    static (int ExitCode, string Output)? Run(string directory, IReadOnlyList<string> args)
    {
        if (!Directory.Exists(directory)) return null;
        try
        {
            var psi = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi);
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEndAsync();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output.GetAwaiter().GetResult().Trim());
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }
}
