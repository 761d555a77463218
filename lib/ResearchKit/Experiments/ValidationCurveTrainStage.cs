using Microsoft.Data.Analysis;
using ResearchKit.Evaluation;
using ResearchKit.Pipeline;
using ResearchKit.Training;

namespace ResearchKit.Experiments;

/// <summary>
/// Trains exactly like <see cref="TrainStage"/> (same config, same inputs, the same checkpoint and losses) and also
/// scores a held-out token set at <paramref name="points"/> evenly spaced steps, the last at the final step: the
/// validation-loss curve that comparisons across data mixtures need (a training loss is measured on each run's own
/// mixture, so two mixtures' training losses do not compare). The run is trained in slices that end at those steps,
/// each resuming the previous slice's checkpoint, which the trainer continues bit-identically; the curve is in
/// <see cref="FileName"/> (<see cref="Read"/>).
/// </summary>
/// <param name="batchSize">Windows per evaluation batch.</param>
public sealed class ValidationCurveTrainStage(Stage<TokenDatasetArtifact> tokens, TrainConfig config, Stage<TokenDatasetArtifact> validation, int points,
    Stage<DomainWeightsArtifact>? weights = null, int batchSize = 16) : Stage<CheckpointArtifact>
{
    public const string FileName = "validation_curve.parquet";

    public TrainConfig Config => config;
    public override string Name => "train-curve";
    public override object KeyConfig => new { Train = config, Points = points, BatchSize = batchSize };
    public override bool Resumable => true;

    public override IReadOnlyDictionary<string, IStage> Inputs
    {
        get
        {
            var inputs = new Dictionary<string, IStage> { ["tokens"] = tokens, ["validation"] = validation };
            if (weights is not null) inputs["weights"] = weights;
            return inputs;
        }
    }

    public override string Describe() =>
        $"{config.Model.ParameterCount / 1e6:F2}M-parameter GPT, {config.Steps} steps × {config.TokensPerStep:N0} tokens, seed {config.Seed}, validated at {points} steps";

    /// <summary>The steps after which the model is scored: round(i·steps/points) for i = 1..points, without repeats.</summary>
    public static IReadOnlyList<int> CurveSteps(int steps, int points)
    {
        if (points < 1) throw new ArgumentOutOfRangeException(nameof(points), points, "a validation curve has at least one point");
        return Enumerable.Range(1, points).Select(i => (int)Math.Round((double)i * steps / points, MidpointRounding.AwayFromZero)).Where(s => s > 0).Distinct().ToArray();
    }

    public override void Run(StageContext context)
    {
        if (weights is not null && config.Data.DomainWeights is not null)
            throw new ArgumentException("the train stage takes its domain weights from its 'weights' input; Data.DomainWeights must be null");
        if (config.Objective.UsesReference)
            throw new ArgumentException($"the '{SpecTypes.KindOf(config.Objective)}' objective needs a reference model: train it with a TrainStage");
        var data = context.Input(tokens).Dataset;
        var held = context.Input(validation);
        var options = new EvalOptions(config.Data.Packing.DocumentMask, Prefixes: false, batchSize, TokenBytes: held.CreateTokenizer().TokenByteLengths());
        AtomicFile.WriteAllText(context.PathOf(CheckpointArtifact.TokenizerFile), data.TokenizerDescription);
        var run = config with
        {
            OutputDirectory = context.Directory,
            Resume = true,
            CheckpointEvery = config.CheckpointEvery > 0 ? config.CheckpointEvery : Math.Max(1, config.Steps / 10),
        };
        if (weights is not null) run = run with { Data = run.Data with { DomainWeights = context.Input(weights).Read(data.Domains) } };

        var curvePath = context.PathOf(FileName);
        var rows = File.Exists(curvePath) ? ReadRows(curvePath) : [];
        var checkpoint = context.PathOf(Checkpoint.FileName);
        TrainResult? last = null;
        foreach (int stop in CurveSteps(config.Steps, points))
        {
            if (rows.Any(r => r.Step == stop)) continue;
            int done = File.Exists(checkpoint) ? Checkpoint.ReadMetrics(checkpoint).Count : 0;
            Gpt model;
            if (done == stop) model = Checkpoint.LoadModel(checkpoint, Runtime.TorchRuntime.Initialize(config.Device).TorchDevice, config.Precision);   // trained, not yet scored
            else
            {
                last = Trainer.Run(run with { StopAfterStep = stop }, data, context.Progress, context.Cancellation);
                model = last.Model;
                if (context.Cancellation.IsCancellationRequested)   // stopped short of the point: never score it
                {
                    model.Dispose();
                    context.Cancellation.ThrowIfCancellationRequested();
                }
            }
            using (model)
            {
                var result = Evaluator.Evaluate(model, held.Dataset, options, null, context.Cancellation);
                rows.Add(new CurveRow(stop, result.Loss, result.BitsPerByte ?? double.NaN, result.DomainMeanBitsPerByte ?? double.NaN, result.WorstDomain?.BitsPerByte ?? double.NaN));
            }
            DataFrameParquet.Write(ToFrame(rows), curvePath);
        }
        // A run whose every point was scored before an interruption still needs its summary: the objective's final scalars.
        last ??= Trainer.Run(run with { StopAfterStep = config.Steps }, data, context.Progress, context.Cancellation);
        var metrics = last.Metrics;
        last.Model.Dispose();
        CheckpointArtifact.WriteSummary(context.Directory, last.Summary);
        context.Stats["steps"] = metrics.Count;
        context.Stats["tokens"] = metrics[^1].Tokens;
        context.Stats["curve_points"] = rows.Count;
    }

    public override CheckpointArtifact Load(string directory) => new(directory);

    /// <summary>The validation curve of a run of this stage: step, val_loss (nats/token), val_bpb, val_bpb_domain_mean, val_bpb_worst.</summary>
    public static DataFrame Read(CheckpointArtifact run)
    {
        var path = Path.Combine(run.Directory, FileName);
        if (!File.Exists(path)) throw new DataFormatException(path, null, null, "missing: the model was not trained by a validation-curve stage");
        return DataFrameParquet.Read(path);
    }

    readonly record struct CurveRow(long Step, double Loss, double Bpb, double DomainMean, double Worst);

    static List<CurveRow> ReadRows(string path)
    {
        var f = DataFrameParquet.Read(path);
        return Enumerable.Range(0, (int)f.Rows.Count).Select(r => new CurveRow((long)f["step"][r]!, (double)f["val_loss"][r]!, (double)f["val_bpb"][r]!,
            (double)f["val_bpb_domain_mean"][r]!, (double)f["val_bpb_worst"][r]!)).ToList();
    }

    static DataFrame ToFrame(IReadOnlyList<CurveRow> rows)
    {
        var ordered = rows.OrderBy(r => r.Step).ToList();
        return new DataFrame(
            new Int64DataFrameColumn("step", ordered.Select(r => r.Step)),
            new DoubleDataFrameColumn("val_loss", ordered.Select(r => r.Loss)),
            new DoubleDataFrameColumn("val_bpb", ordered.Select(r => r.Bpb)),
            new DoubleDataFrameColumn("val_bpb_domain_mean", ordered.Select(r => r.DomainMean)),
            new DoubleDataFrameColumn("val_bpb_worst", ordered.Select(r => r.Worst)));
    }
}
