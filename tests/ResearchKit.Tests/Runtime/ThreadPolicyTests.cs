using ResearchKit.Runtime;
using ResearchKit.Tests.Cli;
using TorchSharp;

namespace ResearchKit.Tests.Runtime;

public class ThreadPolicyTests
{
    [Fact]
    public void ParsesKernelCpuLists()
    {
        Assert.Equal([0, 1, 2, 3, 8, 10, 11], ThreadPolicy.ParseCpuList("0-3,8,10-11\n"));
        Assert.Equal([5], ThreadPolicy.ParseCpuList(" 5 "));
    }

    [Fact]
    public void TheRuntimeRunsWithThePolicysThreadsAndWaitPolicy()
    {
        var info = TorchRuntime.Initialize("cpu");
        var policy = ThreadPolicy.Current!;
        Assert.Same(policy, info.Threads);
        Assert.InRange(policy.PhysicalCores, 1, Environment.ProcessorCount);
        Assert.Equal(torch.get_num_threads(), policy.IntraOpThreads);
        if (Environment.GetEnvironmentVariable(ThreadPolicy.ThreadsVariable) is null) Assert.Equal(policy.PhysicalCores, policy.IntraOpThreads);
        if (Environment.GetEnvironmentVariable(ThreadPolicy.WaitPolicyVariable) is null) Assert.Equal(("PASSIVE", "default"), (policy.OmpWaitPolicy, policy.WaitPolicyFrom));
        Assert.Equal($"threads={policy.IntraOpThreads} omp_wait={policy.OmpWaitPolicy.ToLowerInvariant()}", policy.Line);
    }

    [Fact]
    public void RkEnvPrintsTheThreadSettingsAndHonoursTheEnvironment()
    {
        var (code, output) = Rk.Shell($"{Rk.Invocation} env --device cpu", TestCorpus.RepoRoot,
            new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "", ["RK_THREADS"] = "" });
        Assert.True(code == 0, output);
        Assert.Contains("omp_wait=passive", output);
        Assert.Contains($"threads={ThreadPolicy.PhysicalCores()} ", output);

        (code, output) = Rk.Shell($"{Rk.Invocation} env --device cpu", TestCorpus.RepoRoot,
            new Dictionary<string, string> { ["OMP_WAIT_POLICY"] = "active", ["RK_THREADS"] = "1" });
        Assert.True(code == 0, output);
        Assert.Contains("threads=1 omp_wait=active", output);
        Assert.Contains("ACTIVE (OMP_WAIT_POLICY)", output);

        (code, output) = Rk.Shell($"{Rk.Invocation} env --device cpu --threads 1 --omp-wait active", TestCorpus.RepoRoot);
        Assert.True(code == 0, output);
        Assert.Contains("threads=1 omp_wait=active", output);
        Assert.Contains("ACTIVE (option)", output);
    }
}
