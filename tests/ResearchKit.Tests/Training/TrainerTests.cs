using ResearchKit.DoReMi;
using ResearchKit.Packing;
using ResearchKit.Runtime;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.Training;

public class TrainerTests
{
    static TrainConfig Micro(string? outDir = null) => new()
    {
        Model = GptConfig.Micro(),
        BatchSize = 4,
        Steps = 12,
        Seed = 5,
        Optimizer = new OptimizerConfig(Lr: 3e-3),
        Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 2),
        OutputDirectory = outDir,
    };

    static string TempDir() => Directory.CreateTempSubdirectory("rk-train-").FullName;

    [Fact]
    public void OverfitsOneBatch()
    {
        TorchRuntime.Initialize("cpu");
        var data = TestCorpus.Bytes("Packing");
        var config = Micro() with { Optimizer = new OptimizerConfig(Lr: 1e-2, WeightDecay: 0), Schedule = new LrSchedule(ScheduleKind.Constant) };
        using var engine = new TrainingEngine(config, data.Domains);
        var sampler = new WindowSampler(data, 33, new ConcatPacking(), new PackerOptions(), 1);
        var windows = Enumerable.Range(0, 4).Select(_ => sampler.Next()).ToArray();
        var losses = Enumerable.Range(0, 80).Select(_ =>
        {
            var (loss, norm) = engine.Step(() => Batch.FromWindows(windows, true, torch.CPU), 1e-2);
            using (loss) using (norm) return (double)loss.item<float>();
        }).ToList();
        Assert.True(losses[0] > 4.5, $"starts near ln 257 = 5.55, got {losses[0]}");
        Assert.True(losses[^1] < 0.5, $"memorises 128 tokens: {losses[0]:F2} -> {losses[^1]:F2}");
    }

    [Fact]
    public void SameSeedSameLossesOtherSeedOtherLosses()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var a = Trainer.Run(Micro() with { Steps = 4 }, data).Metrics.Select(m => m.Loss).ToList();
        var b = Trainer.Run(Micro() with { Steps = 4 }, data).Metrics.Select(m => m.Loss).ToList();
        var c = Trainer.Run(Micro() with { Steps = 4, Seed = 6 }, data).Metrics.Select(m => m.Loss).ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ResumeGivesTheSameLossesAsAnUninterruptedRun()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        PhaseSpec[] cooldown = [new PhaseSpec(0.75, Prefixes: false)];
        var whole = Trainer.Run(Micro(TempDir()) with { Phases = cooldown, Optimizer = new OptimizerConfig(Lr: 3e-3) }, data);
        var dir = TempDir();
        var config = Micro(dir) with { Phases = cooldown, CheckpointEvery = 4 };
        var first = Trainer.Run(config with { StopAfterStep = 6 }, data);
        Assert.False(first.Finished);
        Assert.Equal(6, first.Metrics.Count);
        var resumed = Trainer.Run(config, data);
        Assert.True(resumed.Finished);
        Assert.Equal(whole.Metrics.Select(m => m.Loss), resumed.Metrics.Select(m => m.Loss));
        Assert.Equal(whole.Metrics.Select(m => m.GradNorm), resumed.Metrics.Select(m => m.GradNorm));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1], resumed.Metrics.Select(m => m.Phase)); // switch at round(12·0.75) = 9
        Assert.True(File.Exists(Path.Combine(dir, "metrics.csv")));
        Assert.Equal(13, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length);
    }

    [Fact]
    public void ReadingTheDeviceLogLessOftenChangesNoMetric()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var everyStep = Trainer.Run(Micro() with { Steps = 7, LogEvery = 1 }, data).Metrics;
        var inBlocks = Trainer.Run(Micro() with { Steps = 7, LogEvery = 3 }, data).Metrics;
        Assert.Equal(7, inBlocks.Count);
        Assert.Equal(everyStep.Select(m => (m.Step, m.Loss, m.GradNorm, m.Tokens, m.TrainedTokens, m.Lr)),
                     inBlocks.Select(m => (m.Step, m.Loss, m.GradNorm, m.Tokens, m.TrainedTokens, m.Lr)));
        Assert.All(inBlocks, m => Assert.True(m.TokensPerSecond > 0 && m.GradNorm > 0));
    }

    /// <summary>An objective whose per-step scalar stays on the device (<see cref="IDeviceStepMetrics"/>): the mean
    /// per-token loss of the step's last micro-batch, which for one micro-batch and no masked target is the step's loss.</summary>
    sealed record EchoObjective : ObjectiveSpec
    {
        public override ITrainingObjective Build(ObjectiveContext context) => new Instance(context.Device);

        sealed class Instance(torch.Device device) : ITrainingObjective, IDeviceStepMetrics
        {
            readonly torch.Tensor _last = torch.zeros(1, torch.ScalarType.Float32, device);
            public torch.Tensor Loss(torch.Tensor perTokenLoss, Batch batch, MicroBatch micro)
            {
                var loss = TokenLoss.MaskedMean(perTokenLoss, batch.LossMask);
                _last.copy_(loss.detach().reshape(1));
                return loss;
            }
            public IReadOnlyList<string> StepMetricNames { get; } = ["echo"];
            public torch.Tensor StepMetricValues => _last;
            public IReadOnlyDictionary<string, double> StepMetrics => throw new InvalidOperationException("read per step from the host");
            public IReadOnlyDictionary<string, double> Summary => new Dictionary<string, double>();
            public System.Text.Json.Nodes.JsonNode? State => null;
            public void Restore(System.Text.Json.Nodes.JsonNode state) { }
            public void Publish(string directory) { }
            public void Dispose() => _last.Dispose();
        }
    }

    [Fact]
    public void DeviceStepMetricsAreReadWithTheLoss()
    {
        var data = TestCorpus.Bytes("Packing");
        var run = Trainer.Run(Micro() with { Steps = 5, LogEvery = 4, Objective = new EchoObjective() }, data);
        Assert.All(run.Metrics, m => Assert.Equal(m.Loss, m.Extras!["echo"], 6));
        Assert.Equal(5, run.Metrics.Select(m => m.Extras!["echo"]).Distinct().Count());
    }

    [Fact]
    public void DivergenceStopsWithAClearMessage()
    {
        var data = TestCorpus.Bytes("Packing");
        var e = Assert.Throws<TrainingDivergedException>(() =>
            Trainer.Run(Micro() with { Steps = 30, Optimizer = new OptimizerConfig(Lr: 1e30, GradClip: 0), Schedule = new LrSchedule(ScheduleKind.Constant) }, data));
        Assert.Contains("training diverged at step", e.Message);
        Assert.All(e.Metrics, m => Assert.True(double.IsFinite(m.Loss)));
    }

    [Fact]
    public void GroupDroProxyLogsDomainWeightsAndAveragesThem()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var uniform = new DataConfig { DomainWeights = [1, 1] };
        var refDir = TempDir();
        Trainer.Run(Micro(refDir) with { Steps = 6, Data = uniform }, data);
        var proxyDir = TempDir();
        var proxy = Trainer.Run(Micro(proxyDir) with
        {
            Steps = 6,
            Seed = 7,
            Data = uniform,
            Objective = new GroupDroObjective { ReferenceCheckpoint = Path.Combine(refDir, Checkpoint.FileName) },
        }, data);
        double W(StepMetrics m, int d) => m.Extras!["w_" + data.Domains[d]];
        Assert.All(proxy.Metrics, m => Assert.Equal(1.0, W(m, 0) + W(m, 1), 9));
        // The average includes α0 = [0.5, 0.5] and every logged α_t.
        var expected = Enumerable.Range(0, 2).Select(d => (0.5 + proxy.Metrics.Sum(m => W(m, d))) / 7).ToArray();
        Assert.Equal(expected[0], proxy.Summary["avg_w_" + data.Domains[0]], 9);
        Assert.NotEqual(0.5, W(proxy.Metrics[^1], 0), 6);
        var written = DomainWeights.Read(Path.Combine(proxyDir, DomainWeights.FileName), data.Domains);
        Assert.Equal(proxy.Summary["avg_w_Tokenization"], written[1]);
        var frame = StepMetrics.ToDataFrame(proxy.Metrics);
        Assert.Equal(W(proxy.Metrics[3], 1), (double)frame["w_Tokenization"][3]);
    }

    [Fact]
    public void GroupDroRefusesNaturalSampling()
    {
        var data = TestCorpus.Bytes("Packing", "Tokenization");
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(Micro() with { Objective = new GroupDroObjective(DroVariant.Hardest) }, data));
        Assert.Contains("explicit sampling weights", e.Message);
    }

    [Fact]
    public void CountsTrainedAndPrefixedTargets()
    {
        var d = new ResearchKit.Tokenization.InMemoryTokenDataset(["a"], vocabSize: 257, endOfText: 256);
        foreach (var doc in TestCorpus.Documents("Packing")) d.Add("a", System.Text.Encoding.UTF8.GetBytes(doc.Text).Select(b => (int)b).ToArray(), prefix: [85, 82, 76, 58, 32]);
        var config = Micro() with { Steps = 4, Data = new DataConfig { RepeatPrefix = true }, Phases = [new PhaseSpec(0.5, Prefixes: false)] };
        var run = Trainer.Run(config, d);
        // Steps 0-1: every window starts with a 5-token masked prefix and the document mask hides the first target
        // of the next document: at most 32 - 4 = 28 trained targets per window, all with the prefix in view.
        var first = run.Metrics[1];
        Assert.Equal(first.TrainedTokens, first.PrefixedTokens);
        Assert.InRange(first.TrainedTokens, 2 * 4 * 20, 2 * 4 * 28);
        // Steps 2-3 (cooldown): no prefixes, nothing prefixed, and more targets per window.
        var last = run.Metrics[^1];
        Assert.Equal(first.PrefixedTokens, last.PrefixedTokens);
        Assert.InRange(last.TrainedTokens - first.TrainedTokens, 2 * 4 * 29, 2 * 4 * 32);
    }

    [Fact]
    public void WindowsWithoutATrainedTargetAreSkippedAndCountedOrTrainedAsTheReferenceDoes()
    {
        // Document 0's prefix fills a whole 9-token window; document 1 is plain text.
        var d = new ResearchKit.Tokenization.InMemoryTokenDataset(["a"], vocabSize: 257, endOfText: 256);
        d.Add("a", [1, 2, 3], prefix: Enumerable.Range(10, 9).ToArray());
        d.Add("a", Enumerable.Range(40, 30).ToArray());
        var source = new WindowSampler(d, 9, new ConcatPacking(Shuffle: false), new PackerOptions(), seed: 1);
        long skipped = 0;
        var first = BatchLoader.NextTrainable(source, new DataConfig(), ref skipped);
        Assert.Equal(1, skipped);                                    // the all-prefix window
        Assert.Equal([1, 2, 3, 256, 40, 41, 42, 43, 44], first.Tokens);
        var again = new WindowSampler(d, 9, new ConcatPacking(Shuffle: false), new PackerOptions(), seed: 1);
        long none = 0;
        var reference = BatchLoader.NextTrainable(again, new DataConfig { MaskedWindows = MaskedWindows.TrainLastTen }, ref none);
        Assert.Equal(0, none);
        Assert.Equal(Enumerable.Range(10, 9), reference.Tokens);
        Assert.All(reference.Trainable.Skip(1), Assert.True);        // labels[-10:] restored (all but the unpredicted first)
    }

    [Fact]
    public void APhaseChangesPrefixesButContinuesTheSameStream()
    {
        // In order: [prefix ×5][doc0 0..49][EOS] = 56 tokens, then [prefix][doc1 100..149][EOS]...
        var d = new ResearchKit.Tokenization.InMemoryTokenDataset(["a"], vocabSize: 257, endOfText: 256);
        int[] prefix = [250, 251, 252, 253, 254];
        foreach (var first in new[] { 0, 100, 180 }) d.Add("a", Enumerable.Range(first, 50).ToArray(), prefix);
        var config = Micro() with { Steps = 8, Data = new DataConfig { Packing = new ConcatPacking(Shuffle: false) }, Phases = [new PhaseSpec(0.5, Prefixes: false)] };
        var source = new WindowSampler(d, config.Model.Context + 1, config.Data.Packing, config.Data.PackerOptions, (ulong)config.Seed);
        Trainer.ApplyPhases(config, source, [4], 0);
        source.Next();
        var second = source.Next();                                   // 33 + 33 = 66 tokens: doc0 (56), doc1's prefix and body 100..104
        Assert.Equal([.. prefix, 100, 101, 102, 103, 104], second.Tokens[^10..]);
        Trainer.ApplyPhases(config, source, [4], 4);                  // the cooldown starts: same source, prefixes off
        var third = source.Next();
        Assert.Equal(Enumerable.Range(105, 33), third.Tokens);         // doc1 goes on where it stopped: no restart, no prefix
    }
}
