using System.Diagnostics;
using ResearchKit.Runtime;

namespace ResearchKit.Cli;

/// <summary>Time and memory of one benchmark phase.</summary>
/// <param name="PeakRssMb">the process's peak resident set during the phase (Linux VmHWM, reset at the phase start;
/// native memory included: libtorch, ONNX Runtime, USearch).</param>
/// <param name="RssBeforeMb">resident set when the phase started.</param>
/// <param name="PeakManagedMb">largest managed heap seen (sampled every 10 ms).</param>
/// <param name="AllocatedMb">managed bytes allocated during the phase.</param>
/// <param name="CpuSeconds">CPU time of all the process's threads during the phase: on a shared machine a steadier
/// measure of work than wall time.</param>
sealed record PhaseMeasure(string Phase, double Seconds, double CpuSeconds, double PeakRssMb, double RssBeforeMb, double PeakManagedMb, double AllocatedMb);

/// <summary>Measures phases one after another. Peak RSS is per phase where the kernel lets a process reset its
/// high-water mark (writing 5 to /proc/self/clear_refs); otherwise it is the peak since the process started, and
/// <see cref="PerPhasePeaks"/> says so.</summary>
static class PhaseMeter
{
    public static bool PerPhasePeaks { get; private set; } = true;

    public static (T Result, PhaseMeasure Measure) Run<T>(string phase, Func<T> work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeak();
        double before = Status("VmRSS");
        long allocated = GC.GetTotalAllocatedBytes(precise: false);
        long managedPeak = GC.GetTotalMemory(false);
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false));
                try { await Task.Delay(10, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = work();
        double seconds = clock.Elapsed.TotalSeconds;
        double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        stop.Cancel();
        sampler.Wait();
        managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(false));
        return (result, new PhaseMeasure(phase, seconds, cpuSeconds, Status("VmHWM"), before, managedPeak / 1048576.0,
                                         (GC.GetTotalAllocatedBytes(precise: false) - allocated) / 1048576.0));
    }

    static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { PerPhasePeaks = false; }
    }

    /// <summary>A /proc/self/status field in MB (0 where there is no /proc).</summary>
    static double Status(string field) => ProcessStatus.Bytes(field) / 1048576.0;
}
