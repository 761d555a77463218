using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;

namespace ResearchKit.Runtime;

/// <summary>Where libtorch came from, which device the kit computes on, and its CPU threads.</summary>
public sealed record TorchRuntimeInfo(
    string Device,
    string LibTorchDirectory,
    string Bridge,
    IReadOnlyList<string> WeakenedVersions,
    bool CudaAvailable,
    ThreadSettings Threads)
{
    public torch.Device TorchDevice => new(Device);
    public override string ToString() =>
        $"device {Device}, libtorch {LibTorchDirectory}" +
        (WeakenedVersions.Count > 0 ? $", bridge patched ({string.Join(", ", WeakenedVersions)} weak)" : "");
}

/// <summary>Raised when no libtorch could be loaded; the message lists every attempt and the fixes.</summary>
public sealed class TorchRuntimeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The one place that initialises TorchSharp. It finds libtorch (the NuGet CPU or CUDA bundle, a directory
/// given by the caller or <c>RK_LIBTORCH</c>, or the libtorch inside a PyTorch install), works around
/// TorchSharp 0.107's <c>GLIBCXX_3.4.32</c> requirement on older Linux by loading a patched copy of its native
/// bridge, picks the device and applies the CPU <see cref="ThreadPolicy"/>. Call <see cref="Initialize"/> before any
/// other torch call.
/// </summary>
public static class TorchRuntime
{
    const string Bridge = "libLibTorchSharp.so";
    static readonly object Gate = new();
    static TorchRuntimeInfo? _current;

    /// <summary>The initialised runtime, or null before <see cref="Initialize"/>.</summary>
    public static TorchRuntimeInfo? Current => _current;

    /// <param name="device"><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when available).</param>
    /// <param name="libTorchDirectory">A directory with libtorch.so, or <c>python</c> for the libtorch of
    /// <c>python3 -c 'import torch'</c>. Defaults to <c>RK_LIBTORCH</c>, then the NuGet bundle (and, for
    /// <c>cuda</c> when the bundle has no CUDA, PyTorch's).</param>
    public static TorchRuntimeInfo Initialize(string device = "auto", string? libTorchDirectory = null)
    {
        lock (Gate)
        {
            if (_current is { } ready)
            {
                if (device != "auto" && !SameDevice(device, ready.Device))
                    return ready with { Device = ResolveDevice(device, ready.CudaAvailable, new List<string>()) };
                return ready;
            }
            var attempts = new List<string>();
            ThreadPolicy.BeforeLoad();   // OpenMP reads its wait policy once, when libtorch loads it
            string dir = "(TorchSharp default search)";
            string bridge = "(TorchSharp default)";
            IReadOnlyList<string> weakened = [];
            if (OperatingSystem.IsLinux())
                (dir, bridge, weakened) = LoadLinux(device, libTorchDirectory ?? Environment.GetEnvironmentVariable("RK_LIBTORCH"), attempts);

            bool cuda;
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
                cuda = !device.StartsWith("cpu", StringComparison.Ordinal) && TryCuda();
            }
            catch (Exception e)
            {
                attempts.Add($"TorchSharp initialisation: {Flatten(e)}");
                throw Failure(attempts, e);
            }
            _current = new TorchRuntimeInfo(ResolveDevice(device, cuda, attempts), dir, bridge, weakened, cuda, ThreadPolicy.AfterLoad());
            return _current;
        }
    }

    static bool SameDevice(string asked, string have) => asked == have || (asked == "cuda" && have.StartsWith("cuda", StringComparison.Ordinal));

    static string ResolveDevice(string device, bool cuda, List<string> attempts) => device switch
    {
        "auto" => cuda ? "cuda" : "cpu",
        "cpu" => "cpu",
        _ when device.StartsWith("cuda", StringComparison.Ordinal) => cuda ? device
            : throw Failure([.. attempts, "CUDA was asked for, but torch.cuda.is_available() is false with this libtorch"], null),
        _ => throw new ArgumentException($"unknown device '{device}': use cpu, cuda, cuda:N or auto", nameof(device)),
    };

    static bool TryCuda()
    {
        try { torch.InitializeDeviceType(DeviceType.CUDA); return torch.cuda.is_available(); }
        catch (Exception) { return false; }
    }

    static (string Dir, string Bridge, IReadOnlyList<string> Weakened) LoadLinux(string device, string? explicitDir, List<string> attempts)
    {
        bool wantsCuda = device.StartsWith("cuda", StringComparison.Ordinal);
        var candidates = new List<(string Dir, string Why)>();
        if (explicitDir is not null)
        {
            if (explicitDir == "python") AddPython(candidates, attempts);
            else candidates.Add((explicitDir, "given directory"));
        }
        else
        {
            foreach (var d in BundledDirectories()) candidates.Add((d, "NuGet libtorch bundle"));
            if (wantsCuda && !candidates.Any(c => File.Exists(Path.Combine(c.Dir, "libtorch_cuda.so"))))
            {
                candidates.RemoveAll(c => !File.Exists(Path.Combine(c.Dir, "libtorch.so")));
                AddPython(candidates, attempts);
            }
        }

        foreach (var (dir, why) in candidates)
        {
            if (!File.Exists(Path.Combine(dir, "libtorch.so"))) { attempts.Add($"{why}: no libtorch.so in {dir}"); continue; }
            string? bridgeSource = FindBridge(dir);
            if (bridgeSource is null) { attempts.Add($"{why}: {dir} has libtorch but no {Bridge} was found (TorchSharp package)"); continue; }
            try
            {
                // Load libtorch from the very files TorchSharp would pick, so nothing is loaded twice.
                foreach (var lib in new[] { "libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so" })
                {
                    var path = Path.Combine(dir, lib);
                    if (File.Exists(path)) NativeLibrary.Load(path);
                }
                var (bridgePath, weakened) = PreparedBridge(bridgeSource);
                NativeLibrary.Load(bridgePath);
                return (dir, bridgePath, weakened);
            }
            catch (Exception e) { attempts.Add($"{why} ({dir}): {Flatten(e)}"); }
        }
        throw Failure(attempts, null);
    }

    static void AddPython(List<(string, string)> candidates, List<string> attempts)
    {
        var dir = PythonTorchLib(attempts);
        if (dir is not null) candidates.Add((dir, "PyTorch install"));
    }

    /// <summary>Directories that may hold the NuGet libtorch, in the order TorchSharp itself resolves them.</summary>
    static IEnumerable<string> BundledDirectories()
    {
        var seen = new HashSet<string>();
        var bases = new[] { Path.GetDirectoryName(typeof(torch).Assembly.Location), AppContext.BaseDirectory };
        foreach (var b in bases.Where(b => !string.IsNullOrEmpty(b)))
            foreach (var sub in new[] { "runtimes/linux-x64/native", "cpu", "cuda", "" })
            {
                var d = Path.GetFullPath(Path.Combine(b!, sub));
                if (seen.Add(d)) yield return d;
            }
        var nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var pkg in new[] { "libtorch-cpu-linux-x64", "libtorch-cuda-12.8-linux-x64" })
        {
            var root = Path.Combine(nuget, pkg);
            if (!Directory.Exists(root)) continue;
            foreach (var v in Directory.GetDirectories(root).OrderDescending())
                yield return Path.Combine(v, "runtimes", "linux-x64", "native");
        }
    }

    static string? FindBridge(string libTorchDir)
    {
        var near = Path.Combine(libTorchDir, Bridge);
        if (File.Exists(near)) return near;
        var asm = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
        foreach (var d in new[] { Path.Combine(asm, "runtimes", "linux-x64", "native"), asm, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") })
            if (File.Exists(Path.Combine(d, Bridge))) return Path.Combine(d, Bridge);
        var nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var version = typeof(torch).Assembly.GetName().Version;
        var pkg = Path.Combine(nuget, "torchsharp", $"{version?.Major}.{version?.Minor}.{version?.Build}", "runtimes", "linux-x64", "native", Bridge);
        return File.Exists(pkg) ? pkg : null;
    }

    /// <summary>The bridge itself when this system satisfies it; otherwise a cached copy whose unmet
    /// libstdc++ version requirements are weak.</summary>
    static (string Path, IReadOnlyList<string> Weakened) PreparedBridge(string source)
    {
        var bytes = File.ReadAllBytes(source);
        var required = ElfVersionPatcher.RequiredVersions(bytes, "libstdc++.so.6");
        var available = SystemLibStdCxxVersions();
        var missing = required.Where(v => !available.Contains(v)).ToHashSet();
        if (missing.Count == 0 || available.Count == 0) return (source, []);

        var weakened = ElfVersionPatcher.MarkWeak(bytes, "libstdc++.so.6", missing);
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var cacheRoot = Environment.GetEnvironmentVariable("XDG_CACHE_HOME")
                        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var dir = Path.Combine(cacheRoot, "researchkit", "native", hash);
        var target = Path.Combine(dir, Bridge);
        if (!File.Exists(target))
        {
            Directory.CreateDirectory(dir);
            var tmp = target + $".{Environment.ProcessId}.tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, target, overwrite: true);
        }
        return (target, weakened);
    }

    /// <summary>The GLIBCXX/CXXABI versions of the libstdc++ this process has loaded (the .NET host links it).</summary>
    static HashSet<string> SystemLibStdCxxVersions()
    {
        var result = new HashSet<string>();
        string? path = null;
        try
        {
            path = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length >= 6 && f[5].Contains("libstdc++.so", StringComparison.Ordinal))
                .Select(f => f[5]).FirstOrDefault();
        }
        catch (IOException) { }
        path ??= new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        if (path is null) return result;
        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        foreach (var prefix in new[] { "GLIBCXX_", "CXXABI_" })
            for (int i = text.IndexOf(prefix, StringComparison.Ordinal); i >= 0; i = text.IndexOf(prefix, i + 1, StringComparison.Ordinal))
            {
                int end = text.IndexOf('\0', i);
                if (end > i && end - i < 32) result.Add(text[i..end]);
            }
        return result;
    }

    static string? PythonTorchLib(List<string> attempts)
    {
        try
        {
            var psi = new ProcessStartInfo("python3", ["-c", "import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))"])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            var err = p.StandardError.ReadToEnd().Trim();
            p.WaitForExit();
            if (p.ExitCode == 0 && Directory.Exists(output)) return output;
            attempts.Add($"PyTorch install: python3 could not import torch ({err.Split('\n').LastOrDefault()})");
        }
        catch (Exception e) { attempts.Add($"PyTorch install: python3 not runnable ({e.Message})"); }
        return null;
    }

    static string Flatten(Exception e)
    {
        var msg = e.InnerException is { } inner ? $"{e.Message} -> {inner.Message}" : e.Message;
        return msg.Length > 600 ? msg[..600] + "…" : msg;
    }

    static TorchRuntimeException Failure(IEnumerable<string> attempts, Exception? inner) => new(
        "Could not initialise libtorch. Tried:\n  - " + string.Join("\n  - ", attempts) + "\n" +
        "Fixes: restore the solution (`dotnet build`) so the libtorch-cpu-linux-x64 package is present; " +
        "or set RK_LIBTORCH to a directory containing libtorch.so (or to 'python' to use PyTorch's); " +
        "for CUDA build with -p:TorchBackend=cuda or use a PyTorch install with CUDA. See environment.md.", inner);
}
