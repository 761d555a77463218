using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ResearchKit.Runtime;
using ResearchKit.Training;

namespace ResearchKit.Cli;

/// <summary>Runs bench/pytorch_reference.py (the same GPT, loss and optimizer step in PyTorch) on the windows and shape
/// the kit just timed, with the kit's threads and OpenMP wait policy, so <c>rk bench train</c> reports both
/// implementations from one command on the same machine. A PyTorch that is no fair reference (older than 2.0, or on
/// the reference BLAS) comes back as <see cref="Result.NotComparable"/>.</summary>
static partial class PyTorchReference
{
    public sealed record Result(string Impl, double TokensPerSecond, string Text, string? NotComparable);

    public static bool Available()
    {
        try { return Script() is not null && Python(["-c", "import torch"], TimeSpan.FromSeconds(60), null).ExitCode == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }   // no python3
    }

    public static Result Run(TrainConfig config, string variant, int steps, int warmup, string windows, ThreadSettings threads)
    {
        var script = Script() ?? throw new FileNotFoundException("bench/pytorch_reference.py not found above the working directory");
        var m = config.Model;
        if (!m.TiedHead) throw new ArgumentException("the PyTorch reference has a tied head; bench a config with TiedHead = true");
        var args = new List<string>
        {
            script, "--windows", windows, "--vocab", $"{m.VocabSize}", "--d", $"{m.DModel}", "--layers", $"{m.Layers}", "--heads", $"{m.Heads}",
            "--context", $"{m.Context}", "--batch", $"{config.BatchSize}", "--steps", $"{steps}", "--warmup", $"{warmup}",
            "--log-every", $"{Math.Max(1, config.LogEvery)}", "--lr", config.Optimizer.Lr.ToString("R", CultureInfo.InvariantCulture),
            "--threads", $"{threads.IntraOpThreads}", "--peak-tflops", (config.PeakFlops / 1e12).ToString(CultureInfo.InvariantCulture),
        };
        if (variant == "compile") args.Add("--compile");
        if (config.Precision == Precision.Fp32) args.Add("--fp32");
        var (code, output) = Python(args, TimeSpan.FromMinutes(30), threads);
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("impl=", StringComparison.Ordinal));
        if (code != 0 || line is null) throw new InvalidOperationException($"python3 {string.Join(' ', args)} exited with {code}:\n{output}");
        return Parse(line);
    }

    /// <summary>Reads the script's result line: a timing, or a "not comparable: why" verdict.</summary>
    internal static Result Parse(string line)
    {
        line = line.Trim();
        var verdict = NotComparableLine().Match(line);
        if (verdict.Success) return new(verdict.Groups["impl"].Value, double.NaN, line, verdict.Groups["why"].Value.Trim());
        var tokens = OutputLine().Match(line);
        if (!tokens.Success) throw new InvalidOperationException($"unexpected reference output: {line}");
        return new(tokens.Groups["impl"].Value, double.Parse(tokens.Groups["tps"].Value, CultureInfo.InvariantCulture), line, null);
    }

    static string? Script() => BenchTrainCommand.FindAbove(Path.Combine("bench", "pytorch_reference.py"));

    static (int ExitCode, string Output) Python(IReadOnlyList<string> arguments, TimeSpan timeout, ThreadSettings? threads)
    {
        var info = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (threads is not null)
        {
            // The same OpenMP behaviour as the kit: both sides spin, or both sleep.
            info.Environment[ThreadPolicy.WaitPolicyVariable] = threads.OmpWaitPolicy;
            info.Environment["OMP_NUM_THREADS"] = $"{threads.IntraOpThreads}";
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(entireProcessTree: true); return (-1, "timed out"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"^impl=(?<impl>\S+).*?not comparable: (?<why>.+)$")]
    private static partial Regex NotComparableLine();

    [GeneratedRegex(@"impl=(?<impl>\S+).*tokens_per_s=(?<tps>[0-9.]+)")]
    private static partial Regex OutputLine();
}
