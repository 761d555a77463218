// DoReMi's four ablations as a file-based app: the same library calls as notebooks/04-doremi.ipynb, one per step,
// writing the same tables, readouts and charts to one page, runs/examples/04-doremi.html. From the repository root:
//
//   dotnet run examples/04-doremi.cs                     # preset tiny, 3 seeds per arm
//   dotnet run examples/04-doremi.cs -- preset=smoke     # seconds per stage; what CI runs
//
// Parameters are name=value: preset (smoke, tiny, gpu), corpus, results, out. Stages are cached under
// <results>/stages/, shared with `rk ablate` and the notebook: one reference, proxy and uniform baseline serve several
// ablations, and reruns compute only what changed.
#:project ../lib/ResearchKit/ResearchKit.csproj
#:project ../recipes/ResearchKit.Recipes/ResearchKit.Recipes.csproj
// File-based apps default to PublishAot=true, which turns System.Text.Json's reflection off; the kit serializes its
// config records and checkpoints by reflection and runs on TorchSharp, which needs the JIT. So: a normal JIT app.
#:property PublishAot=false

using System.Diagnostics;
using ResearchKit;
using ResearchKit.DoReMi;
using ResearchKit.Experiments;
using ResearchKit.Recipes;
using ResearchKit.Reports;

// Paths are relative to the repository root, wherever the app is started from.
Environment.CurrentDirectory = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, ".."));
var parameters = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
string preset = parameters.GetValueOrDefault("preset", "tiny");
string corpus = parameters.GetValueOrDefault("corpus", "data-samples/sample.parquet");
string results = parameters.GetValueOrDefault("results", "results");
string output = parameters.GetValueOrDefault("out", "runs/examples/04-doremi.html");
var progress = new ProgressDisplay(html => Console.Error.WriteLine(HtmlText.ToPlain(html)), TimeSpan.FromSeconds(10));
var page = new HtmlPage($"DoReMi: domain weights from a Group-DRO proxy (preset {preset})");
var readouts = new List<string>();

AblationResults Run(IAblation ablation, string heading)
{
    var clock = Stopwatch.StartNew();
    var outcome = ablation.Run(preset, results, progress: progress);
    var summary = DoReMiReadouts.Summary(outcome);
    readouts.Add(summary);
    page.Heading(heading).Table(outcome.Results).Preformatted(summary)
        .Note($"{ablation.Name}: {outcome.Computed.Count} stages computed, {outcome.Cached.Count} reused, {clock.Elapsed.TotalMinutes:F1} min");
    return outcome;
}

// 1. Uniform vs natural vs DoReMi weights for the main model.
var baselines = Run(DoReMiRecipes.Baselines(corpus), "1. Baselines: uniform, natural and DoReMi weights");
page.Preformatted(Readouts.AgainstBaseline(baselines, "val_bpb_domain_mean", "uniform") + "\n\n" + Readouts.AgainstBaseline(baselines, "val_bpb_worst", "uniform"))
    .Chart(DoReMiCharts.Weights(baselines))
    .Chart(DoReMiCharts.DomainBitsPerByte(baselines))
    .Chart(DoReMiCharts.Alpha(baselines.Curves, "doremi"))
    .Chart(DoReMiCharts.Lambda(baselines.Curves, "doremi"))
    .Chart(DoReMiCharts.AlphaEntropy(baselines.Curves))
    .Chart(DoReMiCharts.ValidationCurves(baselines.Curves));

// 2. Proxy size: weights from each proxy train the same main model.
var proxySize = Run(DoReMiRecipes.ProxySize(corpus), "2. Proxy size");
page.Chart(DoReMiCharts.Weights(proxySize)).Chart(DoReMiCharts.DomainBitsPerByte(proxySize));

// 3. Excess vs hardest vs easiest loss, same reference, same main model.
var objective = Run(DoReMiRecipes.Objective(corpus), "3. Objective: excess, hardest, easiest");
page.Chart(DoReMiCharts.Weights(objective)).Chart(DoReMiCharts.AlphaEntropy(objective.Curves));

// 4. Iterated rounds: each round's weights become the next reference's.
var iterated = Run(DoReMiRecipes.Iterated(corpus), "4. Iterated DoReMi");
page.Chart(DoReMiCharts.RoundWeights(iterated.Tables["round_weights"], "iterated")).Chart(DoReMiCharts.DomainBitsPerByte(iterated));

page.Save(output);
Console.WriteLine($"{string.Join("\n\n", readouts)}\n\nwrote {output}");
