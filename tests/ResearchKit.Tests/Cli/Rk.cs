using System.Diagnostics;

namespace ResearchKit.Tests.Cli;

/// <summary>Runs the built rk (rk.dll beside the tests) as a real process.</summary>
static class Rk
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "rk.dll");

    /// <summary>How a script invokes this rk: "dotnet /path/rk.dll".</summary>
    public static string Invocation => $"dotnet {Dll}";

    public static Process Start(string? workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("RK_STAGES");   // a developer's stage folder must not leak into a test's
        return Process.Start(info)!;
    }

    public static (int Code, string Output) Wait(Process process)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    public static (int Code, string Output) Run(params string[] args)
    {
        using var p = Start(null, args);
        return Wait(p);
    }

    /// <summary>Runs a shell command line (sh -c) with extra environment variables, in a directory.</summary>
    public static (int Code, string Output) Shell(string command, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        return Wait(p);
    }
}
