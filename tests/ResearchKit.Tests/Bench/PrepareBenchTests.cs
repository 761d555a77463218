using System.Globalization;
using System.Text.RegularExpressions;
using ResearchKit.Tests.Cli;

namespace ResearchKit.Tests.Bench;

/// <summary>rk bench prepare runs rk corpus import and rk tokenize as real processes and reads their CPU and memory
/// from the kernel; --against runs another build (here: the same one) the same way.</summary>
public class PrepareBenchTests
{
    [Fact]
    public void MeasuresBothStagesAtEachSizeAndComparesBuilds()
    {
        using var process = Rk.Start(TestCorpus.RepoRoot, "bench", "prepare", "--mb", "0.2", "0.4", "--against", Rk.Dll);
        var (code, output) = Rk.Wait(process);
        Assert.True(code == 0, output);

        // Main table rows: build | stage | input MiB | cpus | wall s | CPU s | MiB/CPU-s | speed-up | peak MB | ÷ encoding alone
        var rows = output.Split('\n').Select(l => l.Split('│').Select(c => c.Trim()).ToArray())
            .Where(c => c.Length == 12 && c[1] is "this" or "against" && c[2] is "import" or "tokenize").ToList();
        int cpuSets = Environment.ProcessorCount > 1 && File.Exists("/usr/bin/taskset") ? 2 : 1;
        Assert.Equal(2 * 2 * 2 * cpuSets, rows.Count);
        foreach (var c in rows)
        {
            double mib = Number(c[3]), wall = Number(c[5]), cpu = Number(c[6]), rate = Number(c[7]), peak = Number(c[9]);
            Assert.InRange(mib, 0.15, 0.5);
            Assert.True(cpu > 0.05 && wall > 0.05, string.Join(" | ", c));   // a .NET process start alone costs more
            Assert.InRange(rate, (mib - 0.05) / (cpu + 0.005) - 0.005, (mib + 0.05) / (cpu - 0.005) + 0.005);   // from the rounded cells
            Assert.InRange(peak, 20, 4000);                                  // the kernel's high-water mark of a .NET process
            if (c[2] == "tokenize") Assert.InRange(Number(c[10]), 0.01, 10);
            else Assert.Equal("", c[10]);
        }
        // The smaller input first at each stage, and the same input for both builds.
        Assert.True(Number(rows.First(r => r[2] == "import")[3]) < Number(rows.Last(r => r[2] == "import")[3]));
        Assert.Matches(new Regex(@"largest ÷ smallest"), output);
        Assert.Matches(new Regex(@"wall this ÷ against"), output);
        // rk's own runtime settings (quick JIT for loops off: hot loops compiled optimized at once) are reported.
        Assert.Contains("quick JIT for loops false", output);
    }

    [Fact]
    public void RefusesAMissingBuild()
    {
        var (code, output) = Rk.Run("bench", "prepare", "--mb", "0.2", "--against", "/nonexistent/rk.dll");
        Assert.NotEqual(0, code);
        Assert.Contains("/nonexistent/rk.dll", output);
    }

    static double Number(string cell) => double.Parse(cell.TrimEnd('x', '%'), NumberStyles.Float, CultureInfo.InvariantCulture);
}
