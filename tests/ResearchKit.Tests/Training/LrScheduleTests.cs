using ResearchKit.Training;

namespace ResearchKit.Tests.Training;

public class LrScheduleTests
{
    [Fact]
    public void CosineWithWarmupAndFloor()
    {
        // peak 1e-3, 10 warmup steps, 110 steps, floor 0.1·peak.
        // t=0: 0 (HF warmup starts at 0); t=5: 1e-3·5/10 = 5e-4; t=10: p=0 -> peak;
        // t=60: p=50/100=0.5, cos(π/2)=0 -> 1e-3·(0.1+0.9·0.5) = 5.5e-4; t=110: p=1 -> 1e-4.
        var s = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 10, MinLrRatio: 0.1);
        Assert.Equal(0, s.At(0, 110, 1e-3), 12);
        Assert.Equal(5e-4, s.At(5, 110, 1e-3), 12);
        Assert.Equal(1e-3, s.At(10, 110, 1e-3), 12);
        Assert.Equal(5.5e-4, s.At(60, 110, 1e-3), 12);
        Assert.Equal(1e-4, s.At(110, 110, 1e-3), 12);
    }

    [Fact]
    public void MeCoCooldownStepOfTheReferenceRun()
    {
        // MeCo 1.6B: peak 3e-3, 2000 warmup, 40000 steps, floor 0.1; switch at 90% = step 36000 where
        // p = 34000/38000, cos(π·p) = -0.945817..., lr = 3e-3·(0.1 + 0.9·0.5·(1-0.945817)) = 3.7315e-4 (MeCo, Gao et al. 2025).
        var s = new LrSchedule(ScheduleKind.Cosine, WarmupSteps: 2000, MinLrRatio: 0.1);
        Assert.Equal(36_000, new PhaseSpec(0.9).StartStep(40_000));
        Assert.Equal(3.7315e-4, s.At(36_000, 40_000, 3e-3), 8);
    }

    [Fact]
    public void WarmupStableDecay()
    {
        // 100 steps, 10 warmup, last 20% (20 steps, from step 80) linear to 0.1·peak:
        // t=50 and t=80: peak; t=90: 10/20 left -> 1e-3·(0.1+0.9·0.5) = 5.5e-4; t=100: 1e-4.
        var s = new LrSchedule(ScheduleKind.WarmupStableDecay, WarmupSteps: 10, MinLrRatio: 0.1, DecayFraction: 0.2);
        Assert.Equal(5e-4, s.At(5, 100, 1e-3), 12);
        Assert.Equal(1e-3, s.At(50, 100, 1e-3), 12);
        Assert.Equal(1e-3, s.At(80, 100, 1e-3), 12);
        Assert.Equal(5.5e-4, s.At(90, 100, 1e-3), 12);
        Assert.Equal(1e-4, s.At(100, 100, 1e-3), 12);
    }

    [Fact]
    public void SwitchStepRoundsAndClamps()
    {
        Assert.Equal(8, new PhaseSpec(0.75).StartStep(10)); // 7.5 rounds away from zero
        Assert.Equal(0, new PhaseSpec(0).StartStep(7));
        Assert.Equal(7, new PhaseSpec(1).StartStep(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PhaseSpec(1.5).StartStep(7));
    }
}

public class TrainConfigTests
{
    [Fact]
    public void JsonRoundTripsIncludingNestedRecordsAndEnums()
    {
        var config = TrainConfig.Tiny() with
        {
            Phases = [new PhaseSpec(0.9, Prefixes: false)],
            Objective = new ResearchKit.DoReMi.GroupDroObjective(ResearchKit.DoReMi.DroVariant.Hardest, Eta: 0.5) { ReferenceCheckpoint = "ref/checkpoint.bin" },
            Data = new DataConfig { DomainWeights = [0.25, 0.75], Packing = new ResearchKit.Packing.BestFitPacking(ResearchKit.Packing.LongDocuments.Truncate) { DocumentMask = false } },
        };
        var path = Path.Combine(Directory.CreateTempSubdirectory("rk-config-").FullName, "c.json");
        File.WriteAllText(path, config.ToJson());
        var back = TrainConfig.FromJsonFile(path);
        Assert.Equal(config.ToJson(), back.ToJson());
        Assert.Equal([0.25, 0.75], back.Data.DomainWeights!);
        var objective = Assert.IsType<ResearchKit.DoReMi.GroupDroObjective>(back.Objective);
        Assert.Equal(ResearchKit.DoReMi.DroVariant.Hardest, objective.Variant);
        Assert.Equal(0.5, objective.Eta);
        Assert.Equal("ref/checkpoint.bin", objective.ReferenceCheckpoint);
        var packing = Assert.IsType<ResearchKit.Packing.BestFitPacking>(back.Data.Packing);
        Assert.Equal(ResearchKit.Packing.LongDocuments.Truncate, packing.LongDocuments);
        Assert.False(packing.DocumentMask);
        Assert.Contains("\"$type\": \"group-dro\"", config.ToJson());
        File.WriteAllText(path, config.ToJson().Replace("\"group-dro\"", "\"grup-dro\""));
        Assert.Contains("grup-dro", Assert.Throws<DataFormatException>(() => TrainConfig.FromJsonFile(path)).Message);
        File.WriteAllText(path, config.ToJson().Replace("\"BatchSize\"", "\"BatchSise\""));
        var e = Assert.Throws<DataFormatException>(() => TrainConfig.FromJsonFile(path));
        Assert.Contains("BatchSise", e.Message);
    }
}
