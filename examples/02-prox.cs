// ProX as a file-based app: the same library calls as notebooks/02-prox.ipynb, one per step, writing the same tables,
// readouts and charts to one page, runs/examples/02-prox.html. From the repository root:
//
//   dotnet run examples/02-prox.cs                       # preset tiny: two refining models, then 9 arms × 3 seeds
//   dotnet run examples/02-prox.cs -- preset=smoke       # seconds per stage; what CI runs
//
// Parameters are name=value: preset (smoke, tiny, gpu), corpus, results, out. Stages are cached under
// <results>/stages/, shared with `rk ablate prox-stages` and the notebook, so reruns compute only what changed.
#:project ../lib/ResearchKit/ResearchKit.csproj
#:project ../recipes/ResearchKit.Recipes/ResearchKit.Recipes.csproj
// File-based apps default to PublishAot=true, which turns System.Text.Json's reflection off; the kit serializes its
// config records and checkpoints by reflection and runs on TorchSharp, which needs the JIT. So: a normal JIT app.
#:property PublishAot=false

using ResearchKit;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.ProX;
using ResearchKit.Recipes;
using ResearchKit.Reports;

// Paths are relative to the repository root, wherever the app is started from.
Environment.CurrentDirectory = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, ".."));
var parameters = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
string preset = parameters.GetValueOrDefault("preset", "tiny");
string corpus = parameters.GetValueOrDefault("corpus", "data-samples/sample.parquet");
string results = parameters.GetValueOrDefault("results", "results");
string output = parameters.GetValueOrDefault("out", "runs/examples/02-prox.html");
var progress = new ProgressDisplay(html => Console.Error.WriteLine(HtmlText.ToPlain(html)), TimeSpan.FromSeconds(10));
var page = new HtmlPage($"ProX: refining the corpus with programs (preset {preset})");

// 1. The ablation: raw, rule filters, ProX-D, ProX-D+C (and label programs), the same LM at equal tokens.
var ablation = ProXRecipes.Stages(corpus);
var run = ablation.Run(preset, results, progress: progress);
page.Heading("1. Results").Table(run.Results);

// 2. One held-out page before and after ProX-D+C, with the programs that changed it.
var plan = ablation.Resolve(preset).Single(a => a.Arm == "prox-dc").Config.Stages();
using (var stages = new StageRunner(ArtifactStore.For(results), progress))
{
    var held = stages.Run(plan.HeldOut).Read().First(d => ProxLabel.Of(d).Boilerplate is { Count: > 1 });
    page.Heading("2. A page before and after").Html(RefinementHtml.BeforeAfter(plan.Trace(stages, [held]).Single()).Html);
}

// 3. What the rules removed, and what each refinement kept.
var reasons = DataFrames.Where(run.Tables["refine_reasons"], "arm", "all-rules");
page.Heading("3. Rule statistics and kept tokens").Table(reasons, maxRows: 60)
    .Chart(Charts.Bars(reasons, "reason", "characters", series: "step", title: "characters removed per reason (all rules)"))
    .Chart(Charts.Bars(run.Tables["kept_tokens"], "domain", "kept_fraction", series: "arm", title: "kept-token fraction per domain and arm"));

// 4. Refiners and rules against the held-out labels.
page.Heading("4. Precision and recall against the labels")
    .Chart(Charts.Bars(run.Tables["refiner_scores"], "arm", "recall", series: "decision", title: "recall against the held-out labels: drop_doc (spam) and remove_lines (boilerplate)"));

// 5. The language model trained on each corpus.
var readout = Readouts.AgainstBaseline(run, "val_bpb", "raw");
page.Heading("5. Validation bits per byte").Preformatted(readout)
    .Chart(Charts.Bars(run.Results, "arm", "val_bpb", error: "val_bpb_ci95", startAtZero: false, title: "validation bits per byte (clean held-out set), mean ± 95% CI over seeds"))
    .Chart(Charts.Bars(run.Tables["domain_loss"], "domain", "bpb", series: "arm", title: "bits per byte per domain (clean held-out set)"))
    .Chart(Charts.Bars(run.Results, "arm", "kept_token_fraction", title: "share of the raw training tokens each refinement kept"));

page.Save(output);
Console.WriteLine($"{readout}\n\nwrote {output}");
