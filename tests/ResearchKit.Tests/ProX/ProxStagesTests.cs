using Microsoft.Data.Analysis;
using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Filters;
using ResearchKit.Pipeline;
using ResearchKit.ProX;
using ResearchKit.ProX.Refining;
using ResearchKit.Runtime;
using ResearchKit.Tests.Corpus;
using ResearchKit.Training;

namespace ResearchKit.Tests.ProX;

/// <summary>ProX as cached stages: the assembled corpus, refinement (rules, label programs, a trained refiner) with its
/// statistics, kept tokens, the clean held-out set, and the refiner-training artifact that rk prox apply opens.</summary>
public sealed class ProxStagesTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static string Sample => Path.Combine(TestCorpus.RepoRoot, "data-samples", "sample.parquet");
    static string Pages => Path.Combine(TestCorpus.RepoRoot, "data-samples", "prox-lines.parquet");

    StageRunner Runner() => new(new ArtifactStore(_dir["stages"]));

    /// <summary>A split seed that puts all four literal documents on the training side.</summary>
    static readonly long AllTrain = Enumerable.Range(2, 1000).First(s => new[] { "spam", "ham", "page", "clean" }.All(id => StableHash.Unit(id, s) >= 0.01));

    static DataSpec LiteralData(string corpus) => new() { Corpus = corpus, ValidationFraction = 0.01, SplitSeed = AllTrain };

    /// <summary>A small labelled corpus file: spam, ham, a page, one clean document.</summary>
    string Literal()
    {
        var path = _dir["literal.parquet"];
        CorpusWriter.Write(path,
        [
            new Document("spam", "Dear friend, you have won one million dollars! Reply now with your bank details to claim the prize today.", "mail-spam"),
            new Document("ham", "Hi Bob, the build is green again after the fix. Shall we release on Monday morning as planned? Thanks, Alice.", "mail-ham"),
            new Document("page", "Home | Docs | Search\nNavigation\nThe os module provides a portable way of using operating system dependent functionality. " +
                                 "It has many functions for files, processes and the environment.\nUse os.path for paths.\n© 2024 Footer", "python-docs-pages",
                         Meta: new Dictionary<string, string> { ["boilerplate"] = "0-1,4-4" }),
            new Document("clean", "It was a bright cold day in April, and the clocks were striking thirteen. Winston Smith slipped quickly through the glass doors.", "brown-fiction"),
        ]);
        return path;
    }

    [Fact]
    public void TheProxCorpusIsTheSampleWithoutPagesItAlreadyHoldsThenThePagesUnderTheirOwnDomains()
    {
        using var runner = Runner();
        var corpus = runner.Run(new ProxCorpusStage(Sample, Pages)).Read().ToList();
        var sample = CorpusReader.Read(Sample).ToList();
        var pages = CorpusReader.Read(Pages).ToList();
        var pageUrls = pages.Select(p => p.Url).ToHashSet();
        var kept = sample.Where(d => d.Url is null || !pageUrls.Contains(d.Url)).ToList();
        Assert.Equal(11, sample.Count - kept.Count);   // 11 pages of the manuals are in both files
        Assert.Equal(kept.Count + pages.Count, corpus.Count);
        Assert.Equal(kept.Select(d => d.Id), corpus.Take(kept.Count).Select(d => d.Id));
        Assert.Equal(pages.Select(d => (d.Id, d.Text, d.Domain + "-pages")), corpus.Skip(kept.Count).Select(d => (d.Id, d.Text, d.Domain)));
        Assert.Equal(["linux-docs-pages", "python-docs-pages"], corpus.Select(d => d.Domain).Where(d => d.EndsWith("-docs-pages")).Distinct().Order());
        Assert.Equal(corpus.Count, corpus.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void RefineStagesWriteWhatTheirPipelineKeepsWithStatisticsTables()
    {
        var raw = new CorpusStage(new DataSpec { Corpus = Sample, MaxDocuments = 40 }, CorpusPart.Train, source: new ProxCorpusStage(Sample, Pages));
        using var runner = Runner();
        var all = runner.Run(raw).Read().ToList();

        var c4 = (RefinedCorpusArtifact)runner.Run(new RefineStage(raw, RefineSpec.RulesOnly("c4-quality", "fineweb-quality")));
        var expected = RefineSpec.RulesOnly("c4-quality", "fineweb-quality").Build().Apply(all, new TransformStats()).ToList();
        Assert.InRange(expected.Count, 1, all.Count - 1);
        Assert.Equal(expected.Select(d => (d.Id, d.Text)), c4.Read().Select(d => (d.Id, d.Text)));
        Assert.Equal(["c4-quality", "fineweb-quality"], c4.Steps["step"].Cast<string>());
        var result = c4.ToArmResult();
        Assert.Equal((double)expected.Count / all.Count, result.Metrics["kept_document_fraction"], 12);
        Assert.Equal((double)expected.Sum(d => d.Text.Length) / all.Sum(d => d.Text.Length), result.Metrics["kept_character_fraction"], 12);
        Assert.Contains("line_no_terminal_punct", result.Tables["refine_reasons"]["reason"].Cast<string>());

        // A refinement that keeps nothing fails the stage, rather than leaving an empty corpus to the next one.
        var none = new RefineStage(new CorpusStage(LiteralData(Literal()), CorpusPart.Train), RefineSpec.RulesOnly("c4-quality"));
        Assert.Contains("kept none of the 4 documents", Assert.Throws<InvalidOperationException>(() => runner.Run(none)).Message);
    }

    /// <summary>The clean held-out text, exactly: spam gone, the page's navigation and footer lines gone, the rest as
    /// it was; cut after cleaning, so the page keeps its main text.</summary>
    [Fact]
    public void TheCleanSetDropsSpamAndRemovesBoilerplateLinesThenCuts()
    {
        var corpus = Literal();
        using var runner = Runner();
        var source = new CorpusStage(LiteralData(corpus), CorpusPart.Train);
        var all = runner.Run(source).Read().ToDictionary(d => d.Id);
        Assert.Equal(4, all.Count);
        var clean = runner.Run(new RefineStage(source, RefineSpec.Clean())).Read().ToDictionary(d => d.Id);
        Assert.DoesNotContain("spam", clean.Keys);
        foreach (var id in all.Keys.Where(k => k is "ham" or "clean")) Assert.Equal(all[id].Text, clean[id].Text);
        Assert.Equal(string.Join('\n', all["page"].Text.Split('\n')[2..4]), clean["page"].Text);
        var cut = runner.Run(new RefineStage(source, RefineSpec.Clean(maxChars: 30))).Read().ToList();
        Assert.All(cut, d => Assert.Equal(clean[d.Id].Text[..Math.Min(30, clean[d.Id].Text.Length)], d.Text));
    }

    [Fact]
    public void KeptTokensPerDomainFromTheTwoTokenDatasets()
    {
        var corpus = Literal();
        using var runner = Runner();
        var source = new CorpusStage(LiteralData(corpus), CorpusPart.Train);
        var docs = runner.Run(source).Read().ToList();
        var refined = new RefineStage(source, RefineSpec.Clean());
        var kept = runner.Run(new KeptTokensStage(new TokenizeStage(source, "bytes"), new TokenizeStage(refined, "bytes"))).ToArmResult();
        var after = runner.Run(refined).Read().ToList();
        long Bytes(IEnumerable<Document> ds) => ds.Sum(d => (long)System.Text.Encoding.UTF8.GetByteCount(d.Text));
        Assert.Equal((double)Bytes(after) / Bytes(docs), kept.Metrics["kept_token_fraction"], 12);
        var table = kept.Tables["kept_tokens"];
        var domains = table["domain"].Cast<string>().ToList();
        long Row(string domain, string column) => (long)table[column][domains.IndexOf(domain)]!;
        foreach (var domain in docs.Select(d => d.Domain).Distinct())
        {
            Assert.Equal(Bytes(docs.Where(d => d.Domain == domain)), Row(domain, "raw_tokens"));
            Assert.Equal(Bytes(after.Where(d => d.Domain == domain)), Row(domain, "kept_tokens"));
        }
        if (domains.Contains("mail-spam")) Assert.Equal(0L, Row("mail-spam", "kept_tokens"));
    }

    /// <summary>A refiner trained as a stage opens again from its folder (as rk prox apply does) and writes the same
    /// programs; at the wrong level it is refused; refining with it counts its programs in the statistics.</summary>
    [Fact]
    public void ATrainedRefinerIsAModelDirectoryForApply()
    {
        TorchRuntime.Initialize("cpu");
        var corpus = new ProxCorpusStage(Sample, Pages);
        var data = new DataSpec { Corpus = Sample, MaxDocuments = 60, ValidationFraction = 0.25 };
        var train = new CorpusStage(data, CorpusPart.Train, source: corpus);
        var spec = new RefinerSpec
        {
            Level = ProxStages.Document,
            Train = new TrainConfig { Model = new GptConfig(257, 32, 1, 2, 64), BatchSize = 4, Steps = 3, Seed = 2 },
            Sft = new SftOptions(MaxProgramTokens: 12),
        };
        using var runner = Runner();
        var stage = new RefinerTrainStage(train, spec);
        var artifact = runner.Run(stage);
        Assert.Equal(ConfigHash.CanonicalJson(spec), ConfigHash.CanonicalJson(artifact.Spec));
        Assert.True(artifact.Data.Examples > 0);
        Assert.Equal(3, artifact.Metrics.Count);
        var docs = runner.Run(train).Read().Take(6).ToList();
        var writer = RefinerModels.Load(artifact.Directory, ProxStages.Document);
        Assert.Equal("doc-refiner", writer.Name);
        Assert.Equal(artifact.Writer().WriteDocumentPrograms(docs), writer.WriteDocumentPrograms(docs));
        Assert.Contains("Document-level refiner", Assert.Throws<ArgumentException>(() => RefinerModels.Load(artifact.Directory, ProxStages.Chunk)).Message);

        var refined = (RefinedCorpusArtifact)runner.Run(new RefineStage(train, RefineSpec.ProxD, stage));
        var steps = refined.Steps;
        Assert.Equal(["prox-d"], steps["step"].Cast<string>());
        Assert.Equal((long)runner.Run(train).Read().Count(), (long)steps["documents_in"][0]!);
        Assert.Throws<ArgumentException>(() => new RefineStage(train, RefineSpec.ProxD).Inputs);
    }
}
