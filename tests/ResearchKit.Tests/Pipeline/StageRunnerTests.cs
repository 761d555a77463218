using ResearchKit.Experiments;
using ResearchKit.Packing;
using ResearchKit.Training;
using ResearchKit.Pipeline;
using ResearchKit.Tests.Corpus;

namespace ResearchKit.Tests.Pipeline;

public sealed class StageRunnerTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly List<string> _executions = [];
    public void Dispose() => _dir.Dispose();

    ArtifactStore Store => new(_dir["store"]);
    static DataSpec Data(string corpus) => new() { Corpus = corpus, ValidationFraction = 0.25 };
    ToyTrainStage Toy(string corpus, double scale = 1, int seed = 1, int schema = 1, Action? during = null) =>
        new(new CorpusStage(Data(corpus), CorpusPart.Train), scale, seed, schema, _executions, during);

    ToyArtifact Run(IStage stage, out StageRunner runner)
    {
        using var r = new StageRunner(Store);
        runner = r;
        return (ToyArtifact)r.Run(stage);
    }

    [Fact]
    public void SameInputsHitTheCacheAndAnotherPathToTheSameContentToo()
    {
        var corpus = ToyCorpus.WriteMany(_dir["a.parquet"]);
        var first = Run(Toy(corpus), out var r1);
        Assert.Equal(["corpus-train", "toy-train"], r1.Computed.Select(s => s.Name));
        Assert.Equal(["1/1"], _executions);

        var second = Run(Toy(corpus), out var r2);
        Assert.Empty(r2.Computed);
        Assert.Equal(first.Metrics["loss"], second.Metrics["loss"]);

        // The same bytes under another name and folder (a notebook's ../data-samples vs the root's data-samples): one key.
        Directory.CreateDirectory(_dir["elsewhere"]);
        File.Copy(corpus, Path.Combine(_dir["elsewhere"], "copy.parquet"));
        Assert.Equal(Toy(corpus).Key, Toy(Path.Combine(_dir["elsewhere"], "copy.parquet")).Key);
        Run(Toy(Path.Combine(_dir["elsewhere"], "copy.parquet")), out var r3);
        Assert.Empty(r3.Computed);
        Assert.Single(_executions);
    }

    [Fact]
    public void ChangedCorpusContentConfigOrSchemaVersionMissesTheCache()
    {
        var corpus = ToyCorpus.WriteMany(_dir["a.parquet"]);
        var original = Run(Toy(corpus), out _);
        Run(Toy(corpus, scale: 2), out var config);
        Assert.Equal(["toy-train"], config.Computed.Select(s => s.Name));        // the corpus split is shared
        Run(Toy(corpus, schema: 2), out var schema);
        Assert.Equal(["toy-train"], schema.Computed.Select(s => s.Name));

        ToyCorpus.WriteMany(corpus, salt: "edited");                           // same path, new content
        var edited = Run(Toy(corpus), out var content);
        Assert.Equal(["corpus-train", "toy-train"], content.Computed.Select(s => s.Name));
        Assert.NotEqual(original.Metrics["chars"], edited.Metrics["chars"]);
    }

    [Fact]
    public void PathsAndOtherNotHashedFieldsDoNotChangeKeys()
    {
        var train = TrainConfig.Tiny();
        Assert.Equal(ConfigHash.Of(train), ConfigHash.Of(train with { OutputDirectory = "/elsewhere", Device = "cuda", CheckpointEvery = 7 }));
        Assert.NotEqual(ConfigHash.Of(train), ConfigHash.Of(train with { Seed = train.Seed + 1 }));
        Assert.NotEqual(ConfigHash.Of(train), ConfigHash.Of(train with { Data = train.Data with { Packing = new BestFitPacking() } }));
        Assert.NotEqual(ConfigHash.Of(train), ConfigHash.Of(train with { Data = train.Data with { Packing = new ConcatPacking(Shuffle: false) } }));
    }

    [Fact]
    public void AnInterruptedStageIsRecomputedAndLeavesNoArtifact()
    {
        var corpus = ToyCorpus.WriteMany(_dir["a.parquet"]);
        var crashing = Toy(corpus, during: () => throw new IOException("disk went away"));
        Assert.Throws<IOException>(() => Run(crashing, out _));
        Assert.Equal(StageStatus.Partial, Store.StatusOf(crashing));
        Assert.Null(Store.Finished(crashing));
        Assert.False(Directory.Exists(Store.FolderOf(crashing)));

        var retry = Toy(corpus);
        Assert.Equal(crashing.Key, retry.Key);
        Run(retry, out var runner);
        Assert.Equal(["toy-train"], runner.Computed.Select(s => s.Name));      // the finished corpus stage is reused
        Assert.Equal(StageStatus.Cached, Store.StatusOf(retry));
        Assert.False(Directory.Exists(Store.FolderOf(retry) + ".partial"));
        var record = ArtifactRecord.Read(Store.FolderOf(retry))!;
        Assert.Equal(retry.Key, record.Key);
        Assert.Equal(new ResearchKit.Corpus.CorpusSplit(0.25).Train(ResearchKit.Corpus.CorpusReader.Read(corpus)).Count(), record.Stats["documents"]);
    }

    [Fact]
    public async Task TwoRunnersOnOneStageComputeItOnce()
    {
        var corpus = ToyCorpus.WriteMany(_dir["a.parquet"]);
        new StageRunner(Store).Run(new CorpusStage(Data(corpus), CorpusPart.Train));
        var started = new ManualResetEventSlim();
        var slow = Toy(corpus, during: () => { started.Set(); Thread.Sleep(1500); });
        var a = Task.Run(() => new StageRunner(Store).Run(slow));
        started.Wait();
        var runnerB = new StageRunner(Store);
        var b = runnerB.Run(Toy(corpus));                                     // waits for the lock, then finds it finished
        Assert.Equal((await a).Metrics["loss"], b.Metrics["loss"]);
        Assert.Single(_executions);
        Assert.Empty(runnerB.Computed);
    }

    [Fact]
    public void PlanListsEveryStageOnceWithItsStatusAndUsers()
    {
        var corpus = ToyCorpus.WriteMany(_dir["a.parquet"]);
        Run(Toy(corpus, seed: 1), out _);
        var plan = StageRunner.Plan(Store, [("arm/seed1", Toy(corpus, seed: 1)), ("arm/seed2", Toy(corpus, seed: 2))]);
        Assert.Equal(["corpus-train", "toy-train", "toy-train"], plan.Select(p => p.Stage.Name));
        Assert.Equal([StageStatus.Cached, StageStatus.Cached, StageStatus.ToCompute], plan.Select(p => p.Status));
        Assert.Equal(["arm/seed1", "arm/seed2"], plan[0].UsedBy);
        Assert.Equal(["arm/seed2"], plan[2].UsedBy);
    }
}
