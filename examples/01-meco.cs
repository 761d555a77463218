// MeCo's three ablations as a file-based app: the same library calls as notebooks/01-meco.ipynb, one per step, writing
// the same tables, readouts and charts to one page, runs/examples/01-meco.html. From the repository root:
//
//   dotnet run examples/01-meco.cs                       # preset tiny, 3 seeds: 21 models, about 45-60 minutes on 2 cores
//   dotnet run examples/01-meco.cs -- preset=smoke seeds=2   # seconds per arm; what CI runs
//
// Parameters are name=value: preset (smoke, tiny, gpu), grid (default or full), seeds, corpus, results, out. Stages are
// cached under <results>/stages/ by content-derived keys, shared with `rk ablate` and the notebook, so reruns compute
// only what changed.
#:project ../lib/ResearchKit/ResearchKit.csproj
#:project ../recipes/ResearchKit.Recipes/ResearchKit.Recipes.csproj
// File-based apps default to PublishAot=true, which turns System.Text.Json's reflection off; the kit serializes its
// config records and checkpoints by reflection and runs on TorchSharp, which needs the JIT. So: a normal JIT app.
#:property PublishAot=false

using ResearchKit;
using ResearchKit.Experiments;
using ResearchKit.MeCo;
using ResearchKit.Recipes;
using ResearchKit.Reports;

// Paths are relative to the repository root, wherever the app is started from.
Environment.CurrentDirectory = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, ".."));
var parameters = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
string preset = parameters.GetValueOrDefault("preset", "tiny");
bool full = parameters.GetValueOrDefault("grid", "default") == "full";
int seeds = int.Parse(parameters.GetValueOrDefault("seeds", "3"));
string corpus = parameters.GetValueOrDefault("corpus", "data-samples/sample.parquet");
string results = parameters.GetValueOrDefault("results", "results");
string output = parameters.GetValueOrDefault("out", "runs/examples/01-meco.html");
var progress = new ProgressDisplay(html => Console.Error.WriteLine(HtmlText.ToPlain(html)), TimeSpan.FromSeconds(10));
var page = new HtmlPage($"MeCo: metadata conditioning then cooldown (preset {preset}, {seeds} seeds)");
AblationOptions Only(params string[] arms) => new(Seeds: seeds, Arms: full ? null : arms);

// 1. Cooldown fraction.
var cooldown = MeCoRecipes.Cooldown(corpus).Run(preset, results, Only("standard", "f0", "f0.1", "f0.2"), progress);
var cooldownReadout = Readouts.AgainstBaseline(cooldown, "val_bpb", "standard");
page.Heading("1. Cooldown fraction")
    .Table(DataFrames.Select(cooldown.Results, "arm", "seeds", "val_bpb", "val_bpb_ci95", "val_bpb_worst", "prefixed_share", "trained_tokens", "tokens"))
    .Preformatted(cooldownReadout)
    .Chart(Charts.Bars(cooldown.Results, "arm", "val_bpb", error: "val_bpb_ci95", startAtZero: false, title: "validation bits per byte (no prefix): mean ± 95% interval over seeds"))
    .Chart(Charts.Curves(cooldown.Curves, "train_loss", smooth: 20, title: "training loss by arm (mean of seeds and of 20 steps)"))
    .Chart(Charts.Bars(cooldown.Tables["domain_loss"], "domain", "bpb", series: "arm", title: "validation bits per byte per domain (no prefix)"));

// 2. Metadata type.
var metadata = MeCoRecipes.Metadata(corpus).Run(preset, results, Only("full-url", "host", "hashed-host", "standard"), progress);
var metadataReadout = Readouts.AgainstBaseline(metadata, "val_bpb", "standard");
page.Heading("2. Metadata type")
    .Table(DataFrames.Select(metadata.Results, "arm", "seeds", "val_bpb", "val_bpb_ci95", "cond_own_gain", "cond_own_gain_ci95", "prefixed_share"))
    .Preformatted(metadataReadout)
    .Chart(Charts.Bars(metadata.Results, "arm", "val_bpb", error: "val_bpb_ci95", startAtZero: false, title: "validation bits per byte by metadata type (no prefix): mean ± 95% interval over seeds"));

// 3. Conditional inference: both heatmaps on one colour scale, so equal colours mean equal loss.
var conditional = MeCoRecipes.Conditional(corpus).Run(preset, results, new AblationOptions(Seeds: seeds), progress);
var conditionalReadout = MeCoSummary.Conditional(conditional);
var matrix = conditional.Tables["conditional_loss"];
var scale = Charts.ColorRange(matrix, "loss");
page.Heading("3. Conditional inference")
    .Table(DataFrames.Select(conditional.Results, "arm", "seeds", "cond_none", "cond_own", "cond_other", "cond_own_gain", "cond_own_gain_ci95"))
    .Preformatted(conditionalReadout)
    .Chart(Charts.Heatmap(DataFrames.Where(matrix, "arm", "meco"), "domain", "condition", "loss", "MeCo model: loss per domain × prefix (mean of seeds)", scale))
    .Chart(Charts.Heatmap(DataFrames.Where(matrix, "arm", "standard"), "domain", "condition", "loss", "standard model: loss per domain × prefix (mean of seeds)", scale));

page.Save(output);
Console.WriteLine($"{cooldownReadout}\n\n{metadataReadout}\n\n{conditionalReadout}\n\nwrote {output}");
