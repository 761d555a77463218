using System.Diagnostics;

namespace ResearchKit.Tests;

/// <summary>Runs one of the repository's Python scripts with python3 (standard library only in CI) and returns its
/// standard output; a machine without python3 skips the test.</summary>
static class PythonScript
{
    public static string Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(info)!; }
        catch (System.ComponentModel.Win32Exception) { throw new SkipException("python3 is not installed"); }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, err.Result);
            return output.Trim();
        }
    }
}
