using ResearchKit.Experiments;
using ResearchKit.Recipes;
using ResearchKit.Tests.Corpus;

namespace ResearchKit.Tests.Packing.Strategies;

/// <summary><c>rk ablate packing-strategies --preset smoke</c> end to end on the bundled corpus: five arms × two seeds,
/// equal window tokens, every probe present, the data stages shared, and a rerun that computes nothing.</summary>
public sealed class PackingAblationTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static double Metric(AblationResults r, string arm, string metric) =>
        (double)r.Results[metric][Enumerable.Range(0, (int)r.Results.Rows.Count).Single(i => (string)r.Results["arm"][i] == arm)]!;

    [Fact]
    public void SmokeRunsEveryStrategyWithItsProbesAndSharesTheDataStages()
    {
        var ablation = PackingRecipes.Strategies(Path.Combine(TestCorpus.RepoRoot, RecipeCatalog.DefaultCorpus));
        Assert.Equal(ablation.Name, RecipeCatalog.Find("packing-strategies").Name);
        var plan = ablation.PlanStages("smoke", _dir.Path);
        // One embedding of the training documents serves the cluster order, the ICLM order and every arm's probe;
        // one of the held-out documents; one set of probe pairs; one ICLM order for both seeds.
        var embeds = plan.Where(s => s.Stage.Name == "embed").ToList();
        Assert.Equal(2, embeds.Count);
        Assert.All(embeds, e => Assert.Equal(10, e.UsedBy.Count));
        Assert.Single(plan, s => s.Stage.Name == "incontext-pairs");
        Assert.Single(plan, s => s.Stage.Name == "iclm-order");
        Assert.Equal(2, plan.Count(s => s.Stage.Name == "cluster-order"));   // k-means takes the arm's seed
        Assert.Equal(10, plan.Count(s => s.Stage.Name == "train"));

        var run = ablation.Run("smoke", _dir.Path);
        Assert.Equal(["random", "random-masked", "cluster", "iclm", "best-fit"], run.Results["arm"].Cast<string>());
        Assert.All(run.Results["seeds"].Cast<int?>(), s => Assert.Equal(2, s));
        var tokens = run.Results["tokens"].Cast<double?>().Distinct().ToList();
        Assert.Single(tokens);   // equal window tokens in every arm
        foreach (var metric in new[] { "val_bpb", "incontext_gain", "incontext_neighbour", "pack_truncation_rate", "pack_padding_waste", "pack_speed_over_train" })
            Assert.All(run.Results[metric].Cast<double?>(), v => Assert.True(v is { } x && double.IsFinite(x), metric));
        // Best fit pads, concatenation (nearly) does not; best fit cuts fewer documents.
        Assert.True(Metric(run, "best-fit", "pack_padding_waste") > Metric(run, "random", "pack_padding_waste"));
        Assert.True(Metric(run, "best-fit", "pack_truncation_rate") < Metric(run, "random", "pack_truncation_rate"));
        Assert.True(Metric(run, "best-fit", "trained_tokens") < Metric(run, "random", "trained_tokens"));
        // The masked arms do not train a target across a border; the random arms see the same windows.
        Assert.True(Metric(run, "random-masked", "trained_tokens") < Metric(run, "random", "trained_tokens"));
        Assert.Equal(Metric(run, "random", "pack_truncation_rate"), Metric(run, "random-masked", "pack_truncation_rate"));
        // Order statistics only where there is an order; ICLM's neighbours are closer than a random order's.
        Assert.Null(run.Results["order_paths"][0]);
        Assert.True(Metric(run, "iclm", "order_adjacent_cosine") > Metric(run, "iclm", "order_random_adjacent_cosine"));
        Assert.True(Metric(run, "cluster", "order_clusters") >= 1);
        // Per-position loss and the probe's conditions, averaged over seeds with intervals.
        Assert.Contains("loss_ci95", run.Tables["position_loss"].Columns.Select(c => c.Name));
        Assert.Equal(15, run.Tables["incontext_loss"].Rows.Count);   // 5 arms × 3 conditions
        Assert.Equal(2, run.Computed.Count(s => s.StartsWith("embed-", StringComparison.Ordinal)));

        var again = ablation.Run("smoke", _dir.Path);
        Assert.Empty(again.Computed);

        // The notebook's window pictures come from the ablation's own cached data stages (nothing new is computed),
        // and random and random-masked draw the same windows; only the attention differs.
        int stageFolders = Directory.GetDirectories(Path.Combine(_dir.Path, "stages")).Length;
        var previews = PackingRecipes.PreviewWindows(ablation, "smoke", _dir.Path, windows: 3).ToDictionary(p => p.Arm, p => p.Preview);
        Assert.Equal(stageFolders, Directory.GetDirectories(Path.Combine(_dir.Path, "stages")).Length);
        Assert.Equal(["random", "random-masked", "cluster", "iclm", "best-fit"], previews.Keys);
        Assert.All(previews.Values, p => Assert.Equal(3, p.Windows.Count));
        Assert.Equal(previews["random"].Windows.Select(w => w.Tokens), previews["random-masked"].Windows.Select(w => w.Tokens));
        Assert.False(previews["random"].DocumentMask);
        Assert.True(previews["random-masked"].DocumentMask);
        Assert.NotEqual(previews["random"].Windows[0].Tokens, previews["iclm"].Windows[0].Tokens);
    }
}
