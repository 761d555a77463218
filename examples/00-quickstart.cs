// The quick start as a file-based app: the same library calls as notebooks/00-quickstart.ipynb, one per step, writing
// the same tables and charts to one page, runs/examples/00-quickstart.html. From the repository root:
//
//   dotnet run examples/00-quickstart.cs                 # 200 steps of the tiny preset, about 2 minutes on 2 cores
//   dotnet run examples/00-quickstart.cs -- steps=30     # what CI runs
//
// Parameters are name=value, as `rk notebook run --param` takes them: corpus, preset, steps, device, tokenizer, out.
#:project ../lib/ResearchKit/ResearchKit.csproj
// File-based apps default to PublishAot=true, which turns System.Text.Json's reflection off; the kit serializes its
// config records and checkpoints by reflection and runs on TorchSharp, which needs the JIT. So: a normal JIT app.
#:property PublishAot=false

using ResearchKit;
using ResearchKit.Corpus;
using ResearchKit.Evaluation;
using ResearchKit.Reports;
using ResearchKit.Tokenization;
using ResearchKit.Training;

// Paths are relative to the repository root, wherever the app is started from.
Environment.CurrentDirectory = Path.GetFullPath(Path.Combine((string)AppContext.GetData("EntryPointFileDirectoryPath")!, ".."));
var parameters = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a.Length > 1 ? a[1] : "");
string corpus = parameters.GetValueOrDefault("corpus", "data-samples/sample.parquet");
string preset = parameters.GetValueOrDefault("preset", "tiny");      // tiny (CPU) or gpu (needs CUDA and a larger corpus)
int steps = int.Parse(parameters.GetValueOrDefault("steps", "200"));
string device = parameters.GetValueOrDefault("device", "cpu");       // cpu, cuda or auto
string tokenizer = parameters.GetValueOrDefault("tokenizer", "bytes"); // bytes, cl100k_base, o200k_base
string output = parameters.GetValueOrDefault("out", "runs/examples/00-quickstart.html");
var progress = new ProgressDisplay(html => Console.Error.WriteLine(HtmlText.ToPlain(html)), TimeSpan.FromSeconds(10));
var page = new HtmlPage("ResearchKit quickstart");

// The corpus: documents, characters and tokens per domain.
var docs = CorpusReader.Read(corpus).ToList();
var text = TextTokenizers.Create(tokenizer);
var stats = CorpusStats.PerDomain(docs, text);
page.Heading("The corpus").Table(stats).Chart(Charts.Bars(stats, "domain", "tokens", title: $"{tokenizer} tokens per domain"));

// Tokenize: 10% of the documents held out for validation, chosen by hashing their ids.
var split = TokenSplit.FromDocuments(docs, text, validationFraction: 0.1);
page.Heading("Tokenize").Paragraph($"train: {split.Train.DocumentCount} documents, validation: {split.Validation.DocumentCount} documents, vocabulary {text.VocabSize}");

// Train the preset.
var config = TrainConfig.Preset(preset, text.VocabSize) with { Steps = steps, Device = device };
var run = Trainer.Run(config, split.Train, progress);
var metrics = StepMetrics.ToDataFrame(run.Metrics);
var trained = $"{config.Model.ParameterCount / 1e6:F2}M parameters, {run.Metrics[^1].Tokens:N0} tokens, final loss {run.Metrics[^1].Loss:F3}";
page.Heading("Train").Paragraph(trained).Chart(Charts.Lines(metrics, "step", "loss", smooth: 10, title: "training loss (mean of 10 steps)"));

// Validation bits per byte per domain.
var eval = Evaluator.Evaluate(run.Model, split.Validation, new EvalOptions(BatchSize: 16, TokenBytes: text.TokenByteLengths()));
var perDomain = eval.ToDataFrame();
page.Heading("Validation bits per byte per domain").Table(perDomain)
    .Chart(Charts.Bars(perDomain, "domain", "bpb", title: $"validation bits per byte per domain (all: {eval.BitsPerByte:F3}, domain mean {eval.DomainMeanBitsPerByte:F3})"));

page.Save(output);
Console.WriteLine($"{trained}; validation {eval.BitsPerByte:F4} bits per byte; wrote {output}");
