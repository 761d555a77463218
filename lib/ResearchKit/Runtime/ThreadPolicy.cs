using System.Runtime.InteropServices;
using TorchSharp;

namespace ResearchKit.Runtime;

/// <summary>The CPU threads libtorch computes with, and where each setting came from.</summary>
/// <param name="IntraOpThreads">libtorch's intra-op threads (<c>torch.get_num_threads()</c>).</param>
/// <param name="PhysicalCores">Physical cores this process may run on (hyper-threads counted once).</param>
/// <param name="OmpWaitPolicy">What OpenMP threads do between parallel regions: PASSIVE (sleep) or ACTIVE (spin).</param>
/// <param name="ThreadsFrom">default (physical cores), RK_THREADS, or option.</param>
/// <param name="WaitPolicyFrom">default, OMP_WAIT_POLICY (the environment), or option.</param>
public sealed record ThreadSettings(int IntraOpThreads, int PhysicalCores, string OmpWaitPolicy, string ThreadsFrom, string WaitPolicyFrom)
{
    /// <summary>The fields every benchmark line carries: <c>threads=2 omp_wait=passive</c>.</summary>
    public string Line => $"threads={IntraOpThreads} omp_wait={OmpWaitPolicy.ToLowerInvariant()}";

    public override string ToString() =>
        $"{IntraOpThreads} intra-op threads ({ThreadsFrom}; {PhysicalCores} physical cores), OpenMP wait policy {OmpWaitPolicy} ({WaitPolicyFrom})";
}

/// <summary>
/// CPU thread policy, applied by <see cref="TorchRuntime.Initialize"/>: intra-op threads = physical cores and the OpenMP
/// wait policy PASSIVE unless the environment or an option says otherwise. With the default ACTIVE policy, OpenMP
/// workers spin between the many small parallel regions of a training step; on a machine shared with other processes
/// the spinning threads steal the cores the work needs (a tiny GPT ran 10× slower that way on 2 busy cores).
/// Overrides: <c>RK_THREADS</c> and <c>OMP_WAIT_POLICY</c> in the environment, or <see cref="Configure"/> before
/// the runtime starts (command options).
/// </summary>
public static partial class ThreadPolicy
{
    public const string ThreadsVariable = "RK_THREADS";
    public const string WaitPolicyVariable = "OMP_WAIT_POLICY";
    const string DefaultWaitPolicy = "PASSIVE";

    static int? _threadsOption;
    static string? _waitOption;
    static string _waitPolicy = DefaultWaitPolicy, _waitFrom = "default";

    /// <summary>The settings in force, or null before the runtime started.</summary>
    public static ThreadSettings? Current { get; private set; }

    /// <summary>Overrides for this process (command options); the wait policy only takes effect before libtorch loads.</summary>
    /// <param name="threads">Intra-op threads; null = RK_THREADS, else physical cores.</param>
    /// <param name="waitPolicy">passive or active; null = OMP_WAIT_POLICY, else passive.</param>
    public static void Configure(int? threads = null, string? waitPolicy = null)
    {
        if (threads is <= 0) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be positive");
        if (waitPolicy is not null && NormalizeWait(waitPolicy) is null)
            throw new ArgumentException($"unknown OpenMP wait policy '{waitPolicy}': use passive or active", nameof(waitPolicy));
        _threadsOption = threads;
        _waitOption = waitPolicy;
        if (Current is not null)
        {
            if (waitPolicy is not null && !string.Equals(NormalizeWait(waitPolicy), Current.OmpWaitPolicy, StringComparison.Ordinal))
                throw new InvalidOperationException($"libtorch is already loaded with OMP_WAIT_POLICY={Current.OmpWaitPolicy}; the wait policy is read once, when OpenMP starts");
            if (threads is { } n) { torch.set_num_threads(n); Current = Current with { IntraOpThreads = n, ThreadsFrom = "option" }; }
        }
    }

    /// <summary>Sets OMP_WAIT_POLICY in the process environment before libtorch (and its OpenMP) loads; an explicit
    /// setting in the environment wins over the default.</summary>
    internal static void BeforeLoad()
    {
        string? fromEnvironment = NormalizeWait(NativeEnvironment.Get(WaitPolicyVariable));
        (_waitPolicy, _waitFrom) = _waitOption is { } option ? (NormalizeWait(option)!, "option")
            : fromEnvironment is { } env ? (env, WaitPolicyVariable) : (DefaultWaitPolicy, "default");
        NativeEnvironment.Set(WaitPolicyVariable, _waitPolicy);
    }

    /// <summary>Sets libtorch's intra-op threads once it is loaded.</summary>
    internal static ThreadSettings AfterLoad()
    {
        int cores = PhysicalCores();
        var (threads, from) = _threadsOption is { } option ? (option, "option")
            : int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out var env) && env > 0 ? (env, ThreadsVariable)
            : (cores, "default");
        torch.set_num_threads(threads);
        Current = new ThreadSettings(torch.get_num_threads(), cores, _waitPolicy, from, _waitFrom);
        return Current;
    }

    static string? NormalizeWait(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "PASSIVE" => "PASSIVE",
        "ACTIVE" => "ACTIVE",
        _ => null,
    };

    /// <summary>Physical cores among the CPUs this process may use (affinity, then the container's CPU limit).</summary>
    public static int PhysicalCores()
    {
        int limit = Environment.ProcessorCount;   // affinity and cgroup quota
        if (!OperatingSystem.IsLinux()) return limit;
        try
        {
            var allowed = AllowedCpus();
            var cores = new HashSet<string>();
            foreach (int cpu in allowed)
            {
                var topology = $"/sys/devices/system/cpu/cpu{cpu}/topology/";
                // One entry per physical core: the list of its hardware threads.
                var siblings = File.Exists(topology + "core_cpus_list") ? File.ReadAllText(topology + "core_cpus_list")
                    : File.Exists(topology + "thread_siblings_list") ? File.ReadAllText(topology + "thread_siblings_list") : cpu.ToString();
                cores.Add(siblings.Trim());
            }
            return cores.Count == 0 ? limit : Math.Min(cores.Count, limit);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return limit;
        }
    }

    /// <summary>The CPUs in this process's affinity mask (<c>Cpus_allowed_list</c> of /proc/self/status).</summary>
    static List<int> AllowedCpus()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        return line is null ? Enumerable.Range(0, Environment.ProcessorCount).ToList() : ParseCpuList(line["Cpus_allowed_list:".Length..]);
    }

    /// <summary>Parses a kernel CPU list such as <c>0-3,8,10-11</c>.</summary>
    internal static List<int> ParseCpuList(string list)
    {
        var cpus = new List<int>();
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            if (dash < 0) { cpus.Add(int.Parse(part)); continue; }
            int from = int.Parse(part[..dash]), to = int.Parse(part[(dash + 1)..]);
            for (int c = from; c <= to; c++) cpus.Add(c);
        }
        return cpus;
    }

    /// <summary>The process environment as native code sees it: on Unix .NET keeps its own copy, so OpenMP would not
    /// see <see cref="Environment.SetEnvironmentVariable(string, string)"/>.</summary>
    static partial class NativeEnvironment
    {
        public static string? Get(string name) =>
            OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringUTF8(getenv(name));

        public static void Set(string name, string value)
        {
            Environment.SetEnvironmentVariable(name, value);   // what child processes (the PyTorch reference) inherit
            if (!OperatingSystem.IsWindows() && setenv(name, value, 1) != 0)
                throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        private static partial IntPtr getenv(string name);

        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static partial int setenv(string name, string value, int overwrite);
    }
}
