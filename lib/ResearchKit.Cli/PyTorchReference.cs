using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ResearchKit.Training;

namespace ResearchKit.Cli;

/// <summary>Runs bench/pytorch_reference.py (the same GPT and optimizer step in PyTorch) on the config's shape, so
/// <c>rk bench train</c> reports both implementations from one command on the same machine.</summary>
static partial class PyTorchReference
{
    public sealed record Result(string Impl, double TokensPerSecond, string Text);

    public static bool Available()
    {
        try { return Script() is not null && Python("-c \"import torch\"", TimeSpan.FromSeconds(60)).ExitCode == 0; }
        catch (System.ComponentModel.Win32Exception) { return false; }   // no python3
    }

    public static Result Run(TrainConfig config, string variant, int steps, int warmup)
    {
        var script = Script() ?? throw new FileNotFoundException("bench/pytorch_reference.py not found above the working directory");
        var m = config.Model;
        if (!m.TiedHead) throw new ArgumentException("the PyTorch reference has a tied head; bench a config with TiedHead = true");
        var args = string.Join(' ',
            $"\"{script}\"", $"--vocab {m.VocabSize}", $"--d {m.DModel}", $"--layers {m.Layers}", $"--heads {m.Heads}", $"--context {m.Context}",
            $"--batch {config.BatchSize}", $"--steps {steps}", $"--warmup {warmup}", $"--peak-tflops {(config.PeakFlops / 1e12).ToString(CultureInfo.InvariantCulture)}",
            variant == "compile" ? "--compile" : "", config.Precision == Precision.Fp32 ? "--fp32" : "");
        var (code, output) = Python(args, TimeSpan.FromMinutes(30));
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("impl=", StringComparison.Ordinal));
        if (code != 0 || line is null) throw new InvalidOperationException($"python3 {args} exited with {code}:\n{output}");
        var tokens = OutputLine().Match(line);
        if (!tokens.Success) throw new InvalidOperationException($"unexpected reference output: {line}");
        return new(tokens.Groups["impl"].Value, double.Parse(tokens.Groups["tps"].Value, CultureInfo.InvariantCulture), line.Trim());
    }

    static string? Script()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "bench", "pytorch_reference.py"))) return Path.Combine(dir.FullName, "bench", "pytorch_reference.py");
        return null;
    }

    static (int ExitCode, string Output) Python(string arguments, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo("python3", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(entireProcessTree: true); return (-1, "timed out"); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"impl=(?<impl>\S+).*tokens_per_s=(?<tps>[0-9.]+)")]
    private static partial Regex OutputLine();
}
