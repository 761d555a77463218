using ResearchKit.Corpus;
using ResearchKit.DoReMi;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Recipes;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.DoReMi;

/// <summary>Bad input to DoReMi's stages: each a <see cref="DataFormatException"/> naming the file and the field, and no
/// finished artifact left behind.</summary>
public sealed class DoReMiBadInputTests : IDisposable
{
    readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("rk-doremi-bad-");
    public void Dispose() => _dir.Delete(recursive: true);

    static string Corpus => Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus);
    static DoReMiConfig Smoke => DoReMiRecipes.Presets(Corpus)["smoke"];
    string Results => Path.Combine(_dir.FullName, "results");

    /// <summary>Runs a stage expecting bad input: returns the error after checking nothing finished.</summary>
    DataFormatException Fails(StageRunner runner, IStage stage)
    {
        var e = Assert.Throws<DataFormatException>(() => runner.Run(stage));
        Assert.Null(runner.Store.Finished(stage));
        Assert.False(Directory.Exists(runner.Store.FolderOf(stage)));
        return e;
    }

    string WeightsFile(string json)
    {
        var path = Path.Combine(_dir.FullName, $"weights-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    static string Json(IReadOnlyList<string> domains, Func<string, string> value) =>
        "{\"train_domain_weights\": {" + string.Join(", ", domains.Select(d => $"\"{d}\": {value(d)}")) + "}}";

    [Fact]
    public void ADomainWithoutTrainingTokensIsNamed()
    {
        // A real corpus plus a domain whose documents are all empty.
        var corpus = Path.Combine(_dir.FullName, "with-empty.parquet");
        var documents = CorpusReader.Read(Corpus).Where(d => d.Domain is "man-pages" or "mail-spam").Take(60)
            .Concat(Enumerable.Range(0, 30).Select(i => new Document($"empty-{i}", "", "empty-domain"))).ToList();
        CorpusWriter.Write(corpus, documents);
        var config = Smoke with { Data = Smoke.Data with { Corpus = corpus, MaxDocuments = null } };
        var stages = config.Build();
        using var runner = new StageRunner(ArtifactStore.For(Results));
        var tokens = runner.Run(stages.TrainTokens);
        Assert.Contains("empty-domain", tokens.Dataset.Domains);
        foreach (var stage in new[] { stages.UniformWeights, stages.NaturalWeights })
        {
            var e = Fails(runner, stage);
            Assert.Equal(tokens.Path, e.File);
            Assert.Equal("domain 'empty-domain'", e.Field);
            Assert.Contains("no training tokens", e.Message);
        }
        // A weights file may give it weight 0, not more.
        var domains = tokens.Dataset.Domains;
        runner.Run(new WeightsFileStage(stages.TrainTokens, WeightsFile(Json(domains, d => d == "empty-domain" ? "0" : "1"))));
        var file = WeightsFile(Json(domains, _ => "1"));
        var bad = Fails(runner, new WeightsFileStage(stages.TrainTokens, file));
        Assert.Equal((file, "train_domain_weights.empty-domain"), (bad.File, bad.Field));
    }

    [Fact]
    public void WeightFilesThatDoNotMatchTheCorpusAreRejected()
    {
        var stages = Smoke.Build();
        using var runner = new StageRunner(ArtifactStore.For(Results));
        var domains = runner.Run(stages.TrainTokens).Dataset.Domains;
        var cases = new (string Json, string Field, string Problem)[]
        {
            (Json(domains.Append("pile-cc").ToList(), _ => "0.1"), "train_domain_weights", "domains not in the corpus: pile-cc"),
            (Json(domains.Skip(1).ToList(), _ => "0.1"), $"train_domain_weights.{domains[0]}", "every corpus domain needs a weight"),
            (Json(domains, d => d == domains[2] ? "-0.5" : "0.1"), $"train_domain_weights.{domains[2]}", "must be finite and non-negative"),
            (Json(domains, d => d == domains[3] ? "\"NaN\"" : "0.1"), $"train_domain_weights.{domains[3]}", "not a number"),
            (Json(domains, _ => "0"), "train_domain_weights", "all weights are zero"),
            ("{\"domain_weights\": {}}", "train_domain_weights", "missing"),
        };
        foreach (var (json, field, problem) in cases)
        {
            var file = WeightsFile(json);
            var e = Fails(runner, new WeightsFileStage(stages.TrainTokens, file));
            Assert.Equal((file, field), (e.File, e.Field));
            Assert.Contains(problem, e.Message);
        }
        // A NaN literal is not JSON: the line is named.
        var nan = WeightsFile("{\"train_domain_weights\": {\n\"brown-press\": NaN}}");
        var error = Fails(runner, new WeightsFileStage(stages.TrainTokens, nan));
        Assert.Equal((nan, 2L), (error.File, error.Record));
    }

    [Fact]
    public void AReferenceOfAnotherShapeOrTokenizerIsRejectedBeforeTraining()
    {
        var config = Smoke;
        var stages = config.Build();
        using var runner = new StageRunner(ArtifactStore.For(Results));
        TrainStage ProxyOn(TrainStage reference) => new(stages.TrainTokens, config.ProxyTrain, weights: stages.UniformWeights, reference: reference);

        var wideVocab = new TrainStage(stages.TrainTokens, config.ReferenceTrain with { Model = config.Proxy.Model with { VocabSize = 300 } }, weights: stages.NaturalWeights);
        var e = Fails(runner, ProxyOn(wideVocab));
        Assert.Equal((runner.Run(wideVocab).CheckpointPath, "Model.VocabSize"), (e.File, e.Field));

        var shortContext = new TrainStage(stages.TrainTokens, config.ReferenceTrain with { Model = config.Proxy.Model with { Context = 32 } }, weights: stages.NaturalWeights);
        e = Fails(runner, ProxyOn(shortContext));
        Assert.Equal((runner.Run(shortContext).CheckpointPath, "Model.Context"), (e.File, e.Field));

        // Same shape, other tokenizer: a reference trained on bytes would be read as cl100k ids (simulated by its record).
        var reference = stages.References[0]!;
        var artifact = runner.Run(reference);
        var record = Path.Combine(artifact.Directory, "tokenizer.json");
        var bytes = File.ReadAllText(record);
        File.WriteAllText(record, bytes.Replace("\"bytes\"", "\"o200k_base\""));
        try
        {
            e = Fails(runner, ProxyOn(reference));
            Assert.Equal((record, "tokenizer"), (e.File, e.Field));
            Assert.Contains("o200k_base", e.Message);
        }
        finally { File.WriteAllText(record, bytes); }
    }

    [Fact]
    public void GroupDroBuiltDirectlyChecksTheReferenceVocabulary()
    {
        var stages = Smoke.Build();
        using var runner = new StageRunner(ArtifactStore.For(Results));
        var reference = runner.Run(stages.References[0]!).CheckpointPath;
        var spec = new GroupDroObjective { ReferenceCheckpoint = reference };
        var context = new ObjectiveContext(["a", "b"], [1, 1], 50_000, torch.CPU, Precision.Fp32);
        var e = Assert.Throws<DataFormatException>(() => spec.Build(context));
        Assert.Equal((reference, "Model.VocabSize"), (e.File, e.Field));
        Assert.Throws<ArgumentException>(() => new GroupDroObjective { ReferenceCheckpoint = reference }.Build(context with { SamplingWeights = null, VocabSize = 257 }));
    }
}
