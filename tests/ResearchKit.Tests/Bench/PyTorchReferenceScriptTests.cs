using System.Diagnostics;
using System.Text.Json.Nodes;
using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Tests.Cli;
using ResearchKit.Tests.Corpus;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.Bench;

/// <summary>bench/pytorch_reference.py without torch (CI has none): its comparability verdicts, and its data path
/// against the kit's batches on the same windows file.</summary>
public sealed class PyTorchReferenceScriptTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static string Script => Path.Combine(TestCorpus.RepoRoot, "bench", "pytorch_reference.py");

    static string Python(params string[] args) => PythonScript.Run(Script, args);

    static string Verdict(string version, params string[] blas) =>
        Python(["--check-comparability", "--assume-torch", version, .. blas.SelectMany(b => new[] { "--assume-blas", b })]);

    [SkippableFact]
    public void VerdictsSayWhyAPyTorchIsNoFairReference()
    {
        var old = Verdict("1.13.1", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3");
        Assert.StartsWith("impl=pytorch-eager torch=1.13.1 blas=openblas not comparable: PyTorch 1.13.1 is older than 2.0", old);
        var reference = Verdict("2.4.1+cu121", "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3");
        Assert.Contains("blas=reference not comparable: PyTorch computes with the reference (netlib) BLAS", reference);
        Assert.Equal("impl=pytorch-eager torch=2.4.1 blas=openblas comparable", Verdict("2.4.1", "/opt/lib/libopenblas.so.0"));
        Assert.Equal("impl=pytorch-eager torch=2.6.0 blas=mkl comparable", Verdict("2.6.0", "/opt/conda/lib/libmkl_rt.so.2"));
        Assert.Equal("impl=pytorch-eager torch=2.10.0 blas=unknown comparable", Verdict("2.10.0"));
    }

    [SkippableFact]
    public void ItsDataPathDerivesWhatTheKitsBatchesHold()
    {
        TorchRuntime.Initialize("cpu");
        var data = TrainBenchTests.ShortDocuments();
        var config = new TrainConfig { Model = GptConfig.Micro(), BatchSize = 1 };
        var file = _dir["windows.bin"];
        TrainBench.WriteWindows(file, config, data, 12);
        var derived = JsonNode.Parse(Python("--check-data", file))!.AsArray();
        Assert.Equal(12, derived.Count);
        var source = Trainer.Windows(config, data);
        int single = 0;
        for (int i = 0; i < 12; i++)
        {
            using var batch = Batch.FromWindows([source.Next()], documentMask: true, torch.CPU);
            var d = derived[i]!;
            long[] Longs(string key) => d[key]!.AsArray().Select(v => v!.GetValue<long>()).ToArray();
            Assert.Equal(batch.Tokens.data<long>().ToArray(), Longs("inputs"));
            Assert.Equal(batch.Targets.data<long>().ToArray(), Longs("targets"));
            Assert.Equal(batch.LossMask.data<float>().ToArray(), d["loss_mask"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray());
            bool singleDocument = d["single_document"]!.GetValue<bool>();
            Assert.Equal(batch.AttentionMask is null, singleDocument);
            var positions = batch.Positions?.data<long>().ToArray() ?? Enumerable.Range(0, 32).Select(p => (long)p).ToArray();
            Assert.Equal(positions, Longs("positions"));
            if (singleDocument) single++;
        }
        Assert.True(single < 12, "the windows must cross document borders");
    }

    [SkippableFact]
    public void RkBenchTrainReportsNotComparableInsteadOfARatio()
    {
        Skip.If(!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/python3") && !File.Exists("/usr/local/bin/python3"), "needs Linux and python3");
        // A python3 that is the real one, told it is PyTorch 1.13 (Debian's): the script's own verdict reaches rk.
        var shim = _dir["bin"];
        Directory.CreateDirectory(shim);
        var real = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "/usr/local/bin/python3";
        File.WriteAllText(Path.Combine(shim, "python3"), $"#!/bin/sh\nexec {real} \"$@\" --assume-torch 1.13.1\n");
        if (OperatingSystem.IsLinux()) File.SetUnixFileMode(Path.Combine(shim, "python3"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var (code, output) = Rk.Shell($"{Rk.Invocation} bench train --preset tiny --device cpu --batch 2 --steps 1 --warmup 0 --reference eager", TestCorpus.RepoRoot,
            new Dictionary<string, string> { ["PATH"] = shim + ":" + Environment.GetEnvironmentVariable("PATH") });
        Assert.True(code == 0, output);
        Assert.Contains("impl=torchsharp device=cpu", output);
        Assert.Contains("ratio torchsharp / pytorch-eager: not comparable: PyTorch 1.13.1 is older than 2.0", output);
        Assert.DoesNotContain("x tokens/s", output);
    }
}
