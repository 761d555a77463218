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
    /// <param name="kernel">The optimizer's kernel; null = fused when available.</param>
    public TrainingEngine(TrainConfig config, IReadOnlyList<string> domains, AdamWKernel? kernel = null)
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
        // The same stream as the global generator just seeded, but this run's alone.
        using (var init = new Generator((ulong)config.Seed)) Model = new Gpt(config.Model, init);
        Model.to(Device);
        Model.ComputeType = config.Precision == Precision.Fp32 ? ScalarType.Float32 : ScalarType.BFloat16;
        Model.train();
        Optimizer = new FlatAdamW(Model, config.Optimizer, kernel);
        Objective = config.Objective.Build(new ObjectiveContext(domains, config.Data.DomainWeights, config.Model.VocabSize, Device, config.Precision));
    }

    /// <summary>
    /// One optimizer step over <c>GradAccumulation</c> micro-batches. Returns the mean loss and the pre-clip gradient
    /// norm as float32 scalars on the device, without waiting for it: read them when logging. When either is not
    /// finite the optimizer changes nothing (the caller stops when it reads them). Each micro-batch runs in its own
    /// dispose scope, so its activations and logits are freed before the next one starts.
    /// </summary>
    /// <param name="clock">Times the phases (the benchmark); null = no timing.</param>
    public (Tensor Loss, Tensor GradNorm) Step(Func<Batch> nextBatch, double lr, PhaseClock? clock = null)
    {
        int k = _config.GradAccumulation;
        Optimizer.ZeroGrad();
        var lossSum = torch.zeros(Array.Empty<long>(), ScalarType.Float32, Device);
        for (int micro = 0; micro < k; micro++)
        {
            using var scope = torch.NewDisposeScope();
            var batch = nextBatch();
            clock?.Lap(TrainPhase.Batch);
            var perToken = TokenLoss.PerToken(Model, batch);
            var loss = Objective.Loss(perToken, batch, new MicroBatch(micro, k));
            clock?.Lap(TrainPhase.ForwardLoss);
            (loss / k).backward();
            lossSum.add_(loss.detach());
            clock?.Lap(TrainPhase.Backward);
        }
        lossSum.div_(k);
        var norm = Optimizer.Step(lr, lossSum);
        clock?.Lap(TrainPhase.Optimizer);
        return (lossSum, norm);
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
