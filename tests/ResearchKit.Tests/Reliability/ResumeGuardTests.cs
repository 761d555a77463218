using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Tests.Reliability;

/// <summary>A resume continues only the same experiment: every hashed config field and the data must match; the
/// not-hashed ones (device, folder, checkpoint cadence, StopAfterStep, PeakFlops) may change.</summary>
public sealed class ResumeGuardTests
{
    static TrainConfig Micro(string dir) => new()
    {
        Model = GptConfig.Micro(),
        BatchSize = 2,
        Steps = 6,
        Seed = 5,
        Optimizer = new OptimizerConfig(Lr: 3e-3),
        Schedule = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 1),
        OutputDirectory = dir,
        CheckpointEvery = 2,
    };

    static readonly InMemoryTokenDataset Data = TestCorpus.Bytes("Packing");

    /// <summary>A run stopped after 2 of 6 steps: its checkpoint and config.json.</summary>
    static (TempDir Dir, TrainConfig Config, string ConfigJson) Stopped()
    {
        var dir = new TempDir();
        var config = Micro(dir.Path);
        Trainer.Run(config with { StopAfterStep = 2 }, Data).Model.Dispose();
        return (dir, config, File.ReadAllText(dir[Trainer.ConfigFile]));
    }

    [Fact]
    public void ADifferentExperimentIsRefusedWithEveryDifferingFieldAndConfigJsonKept()
    {
        var (dir, config, configJson) = Stopped();
        using var _ = dir;
        var checkpoint = File.ReadAllBytes(dir[Checkpoint.FileName]);
        var cases = new (TrainConfig Config, ITokenDataset Data, string[] Expected)[]
        {
            (config with { Seed = 6 }, Data, ["Seed: 5 -> 6"]),
            (config with { Steps = 8 }, Data, ["Steps: 6 -> 8"]),
            (config with { Schedule = config.Schedule with { WarmupSteps = 2 }, Optimizer = config.Optimizer with { Lr = 1e-3 } }, Data,
                ["Schedule.WarmupSteps: 1 -> 2", "Optimizer.Lr: 0.003 -> 0.001"]),
            (config with { Data = config.Data with { Prefixes = false } }, Data, ["Data.Prefixes: true -> false"]),
            (config with { Phases = [new PhaseSpec(0.5, Prefixes: false)] }, Data, ["Phases"]),
            (config with { Model = config.Model with { DModel = 128 } }, Data, ["Model.DModel: 64 -> 128"]),
            (config, TestCorpus.Bytes("Training"), ["data: the checkpoint was trained on"]),
        };
        foreach (var (changed, data, expected) in cases)
        {
            var e = Assert.Throws<ArgumentException>(() => Trainer.Run(changed, data));
            Assert.Contains(dir[Checkpoint.FileName], e.Message);
            Assert.Contains("different experiment", e.Message);
            foreach (var field in expected) Assert.Contains(field, e.Message);
            Assert.Equal(configJson, File.ReadAllText(dir[Trainer.ConfigFile]));   // still describes checkpoint.bin
            Assert.Equal(checkpoint, File.ReadAllBytes(dir[Checkpoint.FileName]));
        }
        // Another document order over the same data is another data stream too.
        var order = Enumerable.Range(0, Data.DocumentCount).Reverse().ToArray();
        Assert.Contains("document order", Assert.Throws<ArgumentException>(() => Trainer.Run(config, Data, order: order)).Message);
    }

    [Fact]
    public void NotHashedFieldsMayChangeAndTheResumeMatchesAnUninterruptedRun()
    {
        using var whole = new TempDir();
        var uninterrupted = Trainer.Run(Micro(whole.Path), Data);
        uninterrupted.Model.Dispose();

        var (dir, config, _) = Stopped();
        using var _d = dir;
        var resumed = Trainer.Run(config with { CheckpointEvery = 3, PeakFlops = 1e12, StopAfterStep = null, Device = "cpu" }, Data);
        resumed.Model.Dispose();
        Assert.Equal(uninterrupted.Metrics.Select(m => m.Loss), resumed.Metrics.Select(m => m.Loss));
        Assert.Contains("\"CheckpointEvery\": 3", File.ReadAllText(dir[Trainer.ConfigFile]));   // written once the resume was accepted
    }

    [Fact]
    public void ACheckpointOfAnOlderKitCannotBeResumedButStillLoads()
    {
        var (dir, config, _) = Stopped();
        using var _d = dir;
        var bytes = File.ReadAllBytes(dir[Checkpoint.FileName]);
        var header = Checkpoint.ReadHeader(dir[Checkpoint.FileName]);
        // Rewrite as version 2: no checksums, no config, no data fingerprint.
        using (var w = new BinaryWriter(File.Create(dir[Checkpoint.FileName])))
        {
            w.Write("ResearchKit checkpoint v2");
            w.Write(System.Text.Json.JsonSerializer.Serialize(header with { Config = null, Data = null }, KitJson.Files));
            using var r = new BinaryReader(new MemoryStream(bytes));
            r.ReadString(); r.ReadString(); r.ReadUInt64();
            for (int i = 0; i < 3; i++) { long n = r.ReadInt64(); w.Write(n); w.Write(r.ReadBytes((int)n)); r.ReadUInt64(); }
        }
        using (var model = Checkpoint.LoadModel(dir[Checkpoint.FileName], TorchSharp.torch.CPU)) Assert.Equal(config.Model, model.Config);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(config, Data));
        Assert.Contains("older kit", e.Message);
    }

    [Fact]
    public void NegativeCheckpointCadenceIsRejected()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ArgumentException>(() => Trainer.Run(Micro(dir.Path) with { CheckpointEvery = -1 }, Data));
        Assert.Contains("CheckpointEvery (-1)", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
