// Five packing strategies side by side as a file-based app: the same library calls as notebooks/03-packing.ipynb, one
// per step, writing the same tables, readouts and charts to one page, runs/examples/03-packing.html. From the
// repository root:
//
//   dotnet run examples/03-packing.cs                          # preset tiny, 3 seeds: 15 models, about 25 minutes on 2 cores
//   dotnet run examples/03-packing.cs -- preset=smoke seeds=2  # seconds per arm; what CI runs
//
// Parameters are name=value: preset (smoke, tiny, gpu), seeds, corpus, results, out. Stages are cached under
// <results>/stages/ by content-derived keys, shared with `rk ablate packing-strategies` and the notebook.
#:project ../lib/ResearchKit/ResearchKit.csproj
#:project ../recipes/ResearchKit.Recipes/ResearchKit.Recipes.csproj
// File-based apps default to PublishAot=true, which turns System.Text.Json's reflection off; the kit serializes its
// config records and checkpoints by reflection and runs on TorchSharp, which needs the JIT. So: a normal JIT app.
#:property PublishAot=false

using ResearchKit;
using ResearchKit.Experiments;
using ResearchKit.Recipes;
using ResearchKit.Reports;

// Paths are relative to the repository root, wherever the app is started from.
Environment.CurrentDirectory = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, ".."));
var parameters = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
string preset = parameters.GetValueOrDefault("preset", "tiny");
int seeds = int.Parse(parameters.GetValueOrDefault("seeds", "3"));
string corpus = parameters.GetValueOrDefault("corpus", "data-samples/sample.parquet");
string results = parameters.GetValueOrDefault("results", "results");
string output = parameters.GetValueOrDefault("out", "runs/examples/03-packing.html");
var progress = new ProgressDisplay(html => Console.Error.WriteLine(HtmlText.ToPlain(html)), TimeSpan.FromSeconds(10));
var page = new HtmlPage($"Packing strategies and In-Context Pretraining (preset {preset}, {seeds} seeds)");
var ablation = PackingRecipes.Strategies(corpus);

// What a window holds under each strategy, and the attention of random concatenation with and without the mask.
var previews = PackingRecipes.PreviewWindows(ablation, preset, results, windows: 8, progress);
var window = previews.First(p => p.Arm == "random").Preview.Windows.OrderByDescending(w => w.Segments.Distinct().Count()).First();
page.Heading("What a window looks like")
    .Chart(PackingCharts.Windows(previews, windowsPerArm: 2))
    .Chart(PackingCharts.Windows(previews, windowsPerArm: 2, byDomain: true))
    .Chart(PackingCharts.AttentionMask(window, documentMask: false, size: 64))
    .Chart(PackingCharts.AttentionMask(window, documentMask: true, size: 64));

// The ablation: bits per byte, loss by position, the in-context probe, truncation, padding, packer speed, the orders.
var packing = ablation.Run(preset, results, new AblationOptions(Seeds: seeds), progress);
var bpbReadout = Readouts.AgainstBaseline(packing, "val_bpb", "random");
var gainReadout = Readouts.AgainstBaseline(packing, "incontext_gain", "random", lowerIsBetter: false);
page.Heading("Bits per byte")
    .Table(DataFrames.Select(packing.Results, "arm", "seeds", "val_bpb", "val_bpb_ci95", "val_bpb_domain_mean", "val_bpb_worst",
        "incontext_gain", "incontext_gain_ci95", "pack_truncation_rate", "pack_padding_waste", "tokens", "trained_tokens", "train_loss"))
    .Preformatted(bpbReadout)
    .Chart(PackingCharts.BarsWithError(packing.Results, "arm", "val_bpb", "val_bpb_ci95", title: "validation bits per byte (± 95% over seeds)"))
    .Heading("Loss by position in the window")
    .Chart(PackingCharts.PositionLoss(packing.Tables["position_loss"], smooth: 16))
    .Heading("In-context probe")
    .Chart(PackingCharts.BarsWithError(packing.Tables["incontext_loss"], "arm", "loss", "loss_ci95", series: "condition", title: "probe loss by preceding document (nats per token)"))
    .Chart(PackingCharts.BarsWithError(packing.Results, "arm", "incontext_gain", "incontext_gain_ci95", title: "in-context gain: loss after random − loss after neighbour"))
    .Preformatted(gainReadout)
    .Heading("Truncation, padding and packer speed")
    .Chart(PackingCharts.BarsWithError(packing.Results, "arm", "pack_truncation_rate", "pack_truncation_rate_ci95", title: "documents cut across windows (share)", startAtZero: true))
    .Chart(PackingCharts.BarsWithError(packing.Results, "arm", "pack_padding_waste", "pack_padding_waste_ci95", title: "padding (share of window tokens)", startAtZero: true))
    .Table(DataFrames.Select(packing.Results, "arm", "pack_documents_per_window", "pack_targets_after_boundary", "trained_tokens",
        "pack_windows_per_second", "train_windows_per_second", "pack_speed_over_train"))
    .Heading("The orders")
    .Table(DataFrames.Select(packing.Results,
        "arm", "order_documents", "order_removed_semantic", "order_paths", "order_mean_path_length", "order_adjacent_cosine", "order_random_adjacent_cosine"));

page.Save(output);
Console.WriteLine($"{bpbReadout}\n\n{gainReadout}\n\nwrote {output}");
