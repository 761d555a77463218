using ResearchKit.Experiments;
using ResearchKit.ProX;
using ResearchKit.Recipes;

namespace ResearchKit.Tests.ProX;

/// <summary>rk ablate prox-stages end to end on data-samples with the smoke preset (one seed): every arm trains the
/// same tokens, is evaluated on the clean held-out set and scored against the held-out labels.</summary>
public sealed class ProxAblationTests : IDisposable
{
    readonly DirectoryInfo _results = Directory.CreateTempSubdirectory("rk-prox-");
    static string Corpus => Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus);

    public void Dispose() => _results.Delete(recursive: true);

    static readonly string[] Arms = ["raw", "gopher-quality", "gopher-repetition", "c4-quality", "fineweb-quality", "all-rules", "prox-d", "prox-dc", "labels-dc"];

    [Fact]
    public void EveryArmTrainsEqualTokensOnItsRefinedCorpusAndIsScoredOnTheSameHeldOutLabels()
    {
        var run = ProXRecipes.Stages(Corpus).Run("smoke", _results.FullName, new AblationOptions(Seeds: 1));
        var results = run.Results;
        var arms = results["arm"].Cast<string>().ToArray();
        Assert.Equal(Arms, arms);
        double? Metric(string arm, string name) => (double?)results[name][Array.IndexOf(arms, arm)];

        // Equal token budgets, whatever each refinement kept.
        Assert.All(arms, a => Assert.Equal(12 * 4 * 128, Metric(a, "tokens")));
        Assert.All(arms, a => Assert.True(Metric(a, "val_bpb") is > 0 and < 20));
        Assert.Equal(1.0, Metric("raw", "kept_token_fraction"));
        Assert.All(arms.Skip(1), a => Assert.InRange(Metric(a, "kept_token_fraction")!.Value, 0.0, 1.0));
        Assert.True(Metric("labels-dc", "kept_token_fraction") < 1);

        // The label programs score perfectly on drops and find every boilerplate line; doing nothing finds none.
        Assert.Equal(1.0, Metric("labels-dc", "drop_precision"));
        Assert.Equal(1.0, Metric("labels-dc", "drop_recall"));
        Assert.Equal(1.0, Metric("labels-dc", "line_recall"));
        Assert.Equal(0.0, Metric("raw", "drop_recall"));
        Assert.Equal(0.0, Metric("raw", "line_recall"));
        Assert.Null(Metric("raw", "drop_precision"));                 // nothing predicted: undefined, not 0
        Assert.Equal(0.0, Metric("raw", "unlabelled_line_removal"));
        Assert.True(Metric("c4-quality", "unlabelled_line_removal") > 0);   // C4 cuts lines of clean text too
        Assert.NotNull(Metric("prox-d", "doc_program_parse_rate"));
        Assert.Null(Metric("prox-d", "chunk_program_parse_rate"));
        Assert.NotNull(Metric("prox-dc", "chunk_program_parse_rate"));
        Assert.Null(Metric("c4-quality", "doc_program_parse_rate"));

        // Two refining models, trained once, for the two arms that use them; one clean validation set for all.
        Assert.Equal(2, run.Computed.Count(s => s.StartsWith("refiner-train-")));
        Assert.Equal(1, run.Computed.Count(s => s.StartsWith("prox-corpus-")));
        var domains = run.Tables["domain_loss"]["domain"].Cast<string>().Distinct().ToList();
        Assert.DoesNotContain("mail-spam", domains);
        Assert.Contains(domains, d => d.EndsWith("-docs-pages"));

        var kept = run.Tables["kept_tokens"];
        var spam = Enumerable.Range(0, (int)kept.Rows.Count).Single(r => (string)kept["arm"][r] == "labels-dc" && (string)kept["domain"][r] == "mail-spam");
        Assert.Equal(0.0, (double)kept["kept_fraction"][spam]!);
        var steps = run.Tables["refine_steps"]["step"].Cast<string>().ToHashSet();
        Assert.Superset(new HashSet<string> { "gopher-quality", "gopher-repetition", "c4-quality", "fineweb-quality", "prox-d", "prox-c" }, steps);
        Assert.Equal(2, run.Tables["refiner_scores"]["decision"].Cast<string>().Distinct().Count());

        var again = ProXRecipes.Stages(Corpus).Run("smoke", _results.FullName, new AblationOptions(Seeds: 1));
        Assert.Empty(again.Computed);
    }

    [Fact]
    public void RegisteredWithItsPresetsWhichDifferOnlyInNumbers()
    {
        var ablation = RecipeCatalog.Find("prox-stages");
        Assert.Equal(["tiny", "gpu", "smoke"], ablation.Presets);
        Assert.Equal(Arms, ablation.Arms);
        var stages = ProXRecipes.Stages();
        Assert.True(stages.SeedsFor("tiny") >= 3);
        Assert.Equal(stages.Resolve("tiny").Select(a => (a.Arm, ConfigHash.CanonicalJson(a.Config.Refine))),
                     stages.Resolve("gpu").Select(a => (a.Arm, ConfigHash.CanonicalJson(a.Config.Refine))));
        // The labelled pages are found beside the shipped sample, and their absence elsewhere means none.
        Assert.Equal(Path.Combine(TestCorpus.RepoRoot, "data-samples", ProXRecipes.PagesFile), ProXRecipes.PagesBeside(Corpus));
        Assert.Null(ProXRecipes.PagesBeside(Path.Combine(_results.FullName, "corpus.parquet")));
        // build.sh large writes large.parquet beside prox-lines-large.parquet: a corpus's own pages come first.
        File.WriteAllText(Path.Combine(_results.FullName, ProXRecipes.PagesFile), "");
        Assert.Equal(Path.Combine(_results.FullName, ProXRecipes.PagesFile), ProXRecipes.PagesBeside(Path.Combine(_results.FullName, "large.parquet")));
        File.WriteAllText(Path.Combine(_results.FullName, "prox-lines-large.parquet"), "");
        Assert.Equal(Path.Combine(_results.FullName, "prox-lines-large.parquet"), ProXRecipes.PagesBeside(Path.Combine(_results.FullName, "large.parquet")));
    }
}
