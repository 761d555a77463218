using System.Diagnostics;
using Xunit.Abstractions;

namespace ResearchKit.Tests.ProX.Refining;

public class ScratchTiming(ITestOutputHelper output)
{
    [Theory]
    [InlineData("python-code", "brown-fiction", 250)]
    [InlineData("mail-spam", "mail-ham", 250)]
    [InlineData("mail-spam", "mail-ham", 600)]
    public void Time(string drop, string keep, int steps)
    {
        ResearchKit.Runtime.TorchRuntime.Initialize("cpu");
        TorchSharp.torch.set_num_threads(1);
        var sw = Stopwatch.StartNew();
        var (acc, n, fails) = RefinerSftTests.DomainTask(drop, keep, steps);
        output.WriteLine($"RESULT {drop}/{keep} {steps}: {acc:P1} of {n} in {sw.Elapsed.TotalSeconds:F1}s; {fails}");
    }
}
