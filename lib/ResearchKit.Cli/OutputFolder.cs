namespace ResearchKit.Cli;

/// <summary>Checks an output folder option before any work starts, so a wrong path fails in one line, not after an hour.</summary>
static class OutputFolder
{
    /// <exception cref="ArgumentException">The path is an existing file.</exception>
    public static void Require(string path, string option)
    {
        if (File.Exists(path))
            throw new ArgumentException($"{option} {path}: that is an existing file, and {option} names a folder: choose a folder path (it is created when missing)");
    }
}
