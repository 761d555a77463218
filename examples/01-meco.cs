// MeCo's three ablations as a file-based app: the same library calls as notebooks/01-meco.ipynb, one per step, writing
// the same tables, readouts and charts to one page, runs/examples/01-meco.html. From the repository root:
//
//   dotnet run examples/01-meco.cs                       # preset tiny: 11 arms to train, about 20 minutes on 2 cores
//   dotnet run examples/01-meco.cs -- preset=smoke       # seconds per arm; what CI runs
//
// Parameters are name=value: preset (smoke, tiny, gpu), corpus, results, out. Finished arms are cached under
// results/<ablation>/ by config hash, shared with `rk ablate` (same corpus path), so reruns train only what changed.
#:project ../lib/ResearchKit/ResearchKit.csproj
// File-based apps default to PublishAot=true, which turns System.Text.Json's reflection off; the kit serializes its
// config records and checkpoints by reflection and runs on TorchSharp, which needs the JIT. So: a normal JIT app.
#:property PublishAot=false

using ResearchKit;
using ResearchKit.MeCo;
using ResearchKit.Reports;

// Paths are relative to the repository root, wherever the app is started from.
Environment.CurrentDirectory = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, ".."));
var parameters = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
string preset = parameters.GetValueOrDefault("preset", "tiny");
string corpus = parameters.GetValueOrDefault("corpus", "data-samples/sample.parquet");
string results = parameters.GetValueOrDefault("results", "results");
string output = parameters.GetValueOrDefault("out", "runs/examples/01-meco.html");
var progress = new ProgressDisplay(html => Console.Error.WriteLine(HtmlText.ToPlain(html)), TimeSpan.FromSeconds(10));
var page = new HtmlPage($"MeCo: metadata conditioning then cooldown (preset {preset})");

// 1. Cooldown fraction.
var cooldown = MeCoAblations.Cooldown(corpus).Run(preset, results, progress);
var cooldownReadout = MeCoSummary.AgainstBaseline(cooldown.Results);
page.Heading("1. Cooldown fraction").Table(cooldown.Results).Preformatted(cooldownReadout)
    .Chart(Charts.Curves(cooldown.Curves, "train_loss", smooth: 20, title: "training loss by arm (mean of 20 steps)"))
    .Chart(Charts.Bars(cooldown.Tables["domain_loss"], "domain", "loss", series: "arm", title: "validation loss per domain (no prefix)"));

// 2. Metadata type.
var metadata = MeCoAblations.Metadata(corpus).Run(preset, results, progress);
var metadataReadout = MeCoSummary.AgainstBaseline(metadata.Results);
page.Heading("2. Metadata type").Table(metadata.Results).Preformatted(metadataReadout)
    .Chart(Charts.Bars(metadata.Results, "arm", "val_loss", title: "validation loss by metadata type"));

// 3. Conditional inference: both heatmaps on one colour scale, so equal colours mean equal loss.
var conditional = MeCoAblations.Conditional(corpus).Run(preset, results, progress);
var conditionalReadout = MeCoSummary.Conditional(conditional.Results);
var matrix = conditional.Tables["conditional_loss"];
var scale = Charts.ColorRange(matrix, "loss");
page.Heading("3. Conditional inference").Table(conditional.Results).Preformatted(conditionalReadout)
    .Chart(Charts.Heatmap(DataFrames.Where(matrix, "arm", "meco"), "domain", "condition", "loss", "MeCo model: loss per domain × prefix", scale))
    .Chart(Charts.Heatmap(DataFrames.Where(matrix, "arm", "standard"), "domain", "condition", "loss", "standard model: loss per domain × prefix", scale));

page.Save(output);
Console.WriteLine($"{cooldownReadout}\n\n{metadataReadout}\n\n{conditionalReadout}\n\nwrote {output}");
