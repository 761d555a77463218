using ResearchKit.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// The model, its flat AdamW and the objective on one device, and the optimizer step the trainer and the
/// benchmark share: micro-batches forward/backward (gradient accumulation), grad-norm clip, AdamW.
/// </summary>
internal sealed class TrainingEngine : IDisposable
{
    public Gpt Model { get; }
    public FlatAdamW Optimizer { get; }
    public ITrainingObjective Objective { get; }
    public Device Device { get; }
    readonly TrainConfig _config;

    /// <param name="domains">The dataset's domain names (a batch's domain ids index them).</param>
    public TrainingEngine(TrainConfig config, IReadOnlyList<string> domains)
    {
        _config = config;
        Device = TorchRuntime.Initialize(config.Device).TorchDevice;
        if (Device.type == DeviceType.CUDA)
        {
            // TF32 for any fp32 matmul left (fp32 runs, the optimizer's norm); bf16 paths are unaffected.
            torch.backends.cuda.matmul.allow_tf32 = true;
            torch.backends.cudnn.allow_tf32 = true;
            torch.cuda.manual_seed_all(config.Seed);
        }
        torch.manual_seed(config.Seed);
        Model = new Gpt(config.Model);
        Model.to(Device);
        Model.ComputeType = config.Precision == Precision.Fp32 ? ScalarType.Float32 : ScalarType.BFloat16;
        Model.train();
        Optimizer = new FlatAdamW(Model, config.Optimizer);
        Objective = config.Objective.Build(new ObjectiveContext(domains, config.Data.DomainWeights, config.Model.VocabSize, Device, config.Precision));
    }

    /// <summary>One optimizer step over <c>GradAccumulation</c> micro-batches; returns the mean loss and the
    /// pre-clip grad norm. Does not step when the loss or the norm is not finite (the caller stops).</summary>
    public (double Loss, double GradNorm) Step(Func<Batch> nextBatch, double lr)
    {
        using var scope = torch.NewDisposeScope();
        int k = _config.GradAccumulation;
        Optimizer.ZeroGrad();
        var lossSum = torch.zeros(1, ScalarType.Float32, Device);
        for (int micro = 0; micro < k; micro++)
        {
            using var batch = nextBatch();
            var perToken = TokenLoss.PerToken(Model.Forward(batch.Tokens, batch.Positions, batch.AttentionMask), batch.Targets);
            var loss = Objective.Loss(perToken, batch, new MicroBatch(micro, k));
            (loss / k).backward();
            lossSum.add_(loss.detach());
        }
        double lossValue = lossSum.item<float>() / k;
        if (!double.IsFinite(lossValue)) return (lossValue, double.NaN);
        double norm = Optimizer.ClipGradNorm(_config.Optimizer.GradClip);
        if (double.IsFinite(norm)) Optimizer.Step(lr);
        return (lossValue, norm);
    }

    /// <summary>Training FLOPs per token: 6N for the matmuls with weights plus 12·L·T·d for attention scores
    /// and values (the PaLM / nanoGPT estimate).</summary>
    public static double FlopsPerToken(GptConfig m) => 6.0 * m.ParameterCount + 12.0 * m.Layers * m.Context * m.DModel;

    /// <summary>Frees the optimizer and the objective; the model stays usable (its weights keep the flat storage alive),
    /// without gradients.</summary>
    public void Dispose()
    {
        foreach (var p in Model.parameters()) p.grad = null;
        Objective.Dispose();
        Optimizer.Dispose();
    }
}
