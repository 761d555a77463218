using System.Diagnostics;
using ResearchKit.Runtime;

namespace ResearchKit.Cli;

/// <summary>Runs rk itself, or another build of it, as a child process for benchmarks, optionally pinned to CPUs
/// (taskset), and measures what the process used.</summary>
static class RkProcess
{
    /// <param name="executable">Another build: its <c>rk</c> apphost or <c>rk.dll</c>; this process's own when null.</param>
    /// <param name="cpus">A taskset CPU list ("0", "0,1"); unpinned when null.</param>
    public static Process Start(string[] args, string? cpus = null, string? executable = null)
    {
        var (program, dll) = executable is null
            ? (Environment.ProcessPath!, Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? System.Reflection.Assembly.GetEntryAssembly()!.Location : null)
            : executable.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", Path.GetFullPath(executable)) : (Path.GetFullPath(executable), null);
        var info = new ProcessStartInfo(cpus is null ? program : "taskset") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (cpus is not null) { info.ArgumentList.Add("-c"); info.ArgumentList.Add(cpus); info.ArgumentList.Add(program); }
        if (dll is not null) info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
    }

    /// <summary>Waits for the process; throws with its output when it failed.</summary>
    public static void Finish(Process process)
    {
        using (process)
        {
            var err = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"a benchmark process failed ({process.ExitCode}): {output}{err.Result}");
        }
    }

    /// <summary>Runs one child alone and measures it: wall time, CPU time (user + system, exact: the kernel's total
    /// for reaped children, read before and after) and peak resident memory (the kernel's high-water mark, polled).</summary>
    public static ProcessUse Measure(string[] args, string? cpus = null, string? executable = null)
    {
        double cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        var process = Start(args, cpus, executable);
        int pid = process.Id;
        long peak = 0;
        using var done = new CancellationTokenSource();
        var poll = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested) { peak = Math.Max(peak, ProcessStatus.Bytes("VmHWM", pid)); await Task.Delay(5); }
        });
        try { Finish(process); }
        finally { done.Cancel(); }
        double wall = clock.Elapsed.TotalSeconds;
        poll.Wait();
        return new ProcessUse(wall, ChildrenCpuSeconds() - cpuBefore, peak);
    }

    /// <summary>cutime + cstime of this process: CPU used by children it has waited for.</summary>
    static double ChildrenCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');   // fields from the 3rd (state) on
        // man 5 proc: cutime and cstime are fields 16 and 17, in clock ticks (USER_HZ, 100 on Linux).
        return (long.Parse(fields[16 - 3], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[17 - 3], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }
}

/// <summary>What one child process used.</summary>
readonly record struct ProcessUse(double WallSeconds, double CpuSeconds, long PeakRssBytes);
