using System.Text.Json;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.Tests.Pipeline;

/// <summary>A cheap deterministic "training" stage over a corpus stage: its loss is a function of the corpus text, a
/// scale and seeded noise, so cache hits and misses, seeds and intervals can be tested in milliseconds.</summary>
sealed class ToyTrainStage(Stage<CorpusArtifact> corpus, double scale, int seed, int schema = 1, List<string>? executions = null, Action? during = null)
    : Stage<ToyArtifact>
{
    public override string Name => "toy-train";
    public override int SchemaVersion => schema;
    public override object KeyConfig => new { Scale = scale, Seed = seed };
    public override IReadOnlyDictionary<string, IStage> Inputs => new Dictionary<string, IStage> { ["corpus"] = corpus };

    public override void Run(StageContext context)
    {
        executions?.Add($"{scale}/{seed}");
        var docs = context.Input(corpus).Read().ToList();
        File.WriteAllText(context.PathOf("partial.txt"), "started");
        during?.Invoke();
        double chars = docs.Sum(d => d.Text.Length);
        double noise = new Random(seed).NextDouble() * 0.1;
        var metrics = new Dictionary<string, double> { ["loss"] = scale + noise, ["chars"] = chars };
        File.WriteAllText(context.PathOf("metrics.json"), JsonSerializer.Serialize(metrics));
        context.Stats["documents"] = docs.Count;
    }

    public override ToyArtifact Load(string directory) => new(directory);
}

sealed class ToyArtifact(string directory) : IArmResultPart
{
    public Dictionary<string, double> Metrics => JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(Path.Combine(directory, "metrics.json")))!;

    public ArmResult ToArmResult() => new(Metrics)
    {
        Curves = [new CurvePoint("loss", 1, Metrics["loss"] * 2), new CurvePoint("loss", 2, Metrics["loss"])],
        Tables = new Dictionary<string, Microsoft.Data.Analysis.DataFrame>
        {
            ["domain_loss"] = new(new Microsoft.Data.Analysis.StringDataFrameColumn("domain", ["a", "b"]),
                                  new Microsoft.Data.Analysis.DoubleDataFrameColumn("loss", [Metrics["loss"], 2 * Metrics["loss"]])),
        },
    };
}

/// <summary>A config for toy ablations.</summary>
sealed record ToyConfig(string Corpus, double Scale, int Seed = 10) : ISeeded<ToyConfig>
{
    public ToyConfig WithSeed(int seed) => this with { Seed = seed };
}

static class ToyCorpus
{
    public static string Write(string path, params string[] texts)
    {
        CorpusWriter.Write(path, texts.Select((t, i) => new Document($"d{i}", t, i % 2 == 0 ? "even" : "odd")));
        return path;
    }

    /// <summary>Enough documents that both sides of a 25% split are non-empty.</summary>
    public static string WriteMany(string path, string salt = "") =>
        Write(path, Enumerable.Range(0, 40).Select(i => $"document {i} {salt} " + new string('x', i)).ToArray());
}
