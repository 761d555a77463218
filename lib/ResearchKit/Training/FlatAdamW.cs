using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>AdamW hyper-parameters; <see cref="GradClip"/> is the global grad-norm limit (0 = off).</summary>
public sealed record OptimizerConfig(double Lr = 1e-3, double Beta1 = 0.9, double Beta2 = 0.95, double Eps = 1e-8, double WeightDecay = 0.1, double GradClip = 1.0);

/// <summary>
/// AdamW over one flat buffer. On construction every parameter of the model is moved into a single contiguous
/// tensor (each parameter becomes a view into it) and its gradient into a second one, matrices first; the step
/// is then a handful of whole-buffer ops instead of a few kernels per parameter. Weight decay (decoupled, as
/// torch.optim.AdamW) touches only the matrix prefix, never norms or biases.
/// </summary>
public sealed class FlatAdamW : IDisposable
{
    /// <summary>Name, offset and shape of each parameter in the flat buffers (the checkpoint layout).</summary>
    public sealed record Slot(string Name, long Offset, long[] Shape);

    readonly OptimizerConfig _config;
    public Tensor Parameters { get; }
    public Tensor Gradients { get; }
    public Tensor ExpAvg { get; }
    public Tensor ExpAvgSq { get; }
    public IReadOnlyList<Slot> Layout { get; }
    /// <summary>Elements at the front of the buffers that get weight decay (all matrices).</summary>
    public long DecayedCount { get; }
    public long StepCount { get; private set; }

    public FlatAdamW(nn.Module model, OptimizerConfig config)
    {
        _config = config;
        var ps = model.named_parameters().Where(p => p.parameter.requires_grad)
            .OrderBy(p => p.parameter.dim() >= 2 ? 0 : 1).ToList(); // stable: keeps module order within each group
        if (ps.Count == 0) throw new ArgumentException("the model has no trainable parameters", nameof(model));
        var dtype = ps[0].parameter.dtype;
        var device = ps[0].parameter.device;
        long total = ps.Sum(p => p.parameter.numel());
        Parameters = torch.empty(total, dtype, device);
        Gradients = torch.zeros(total, dtype, device);
        ExpAvg = torch.zeros(total, dtype, device);
        ExpAvgSq = torch.zeros(total, dtype, device);
        var layout = new List<Slot>();
        using (torch.no_grad())
        {
            long offset = 0;
            foreach (var (name, p) in ps)
            {
                if (p.dtype != dtype || p.device.ToString() != device.ToString())
                    throw new ArgumentException($"parameter {name} is {p.dtype} on {p.device}; the flat buffer is {dtype} on {device}");
                long n = p.numel();
                var shape = p.shape;
                var view = Parameters.narrow(0, offset, n).view(shape);
                view.copy_(p);
                p.set_(view);
                p.grad = Gradients.narrow(0, offset, n).view(shape); // backward accumulates in place into this view
                if (p.dim() >= 2) DecayedCount = offset + n;
                layout.Add(new Slot(name, offset, shape));
                offset += n;
            }
        }
        Layout = layout;
    }

    public void ZeroGrad() => Gradients.zero_();

    /// <summary>Scales gradients so their global L2 norm is at most <paramref name="maxNorm"/> (0 = no clip);
    /// returns the norm before clipping.</summary>
    public double ClipGradNorm(double maxNorm)
    {
        using var norm = torch.linalg.vector_norm(Gradients.to_type(ScalarType.Float32));
        double value = norm.item<float>();
        if (maxNorm > 0 && value > maxNorm) Gradients.mul_(maxNorm / (value + 1e-6));
        return value;
    }

    /// <summary>One AdamW step at learning rate <paramref name="lr"/> (same update as torch.optim.AdamW).</summary>
    public void Step(double lr)
    {
        StepCount++;
        double b1 = _config.Beta1, b2 = _config.Beta2;
        double bc1 = 1 - Math.Pow(b1, StepCount), bc2 = 1 - Math.Pow(b2, StepCount);
        using var _ = torch.no_grad();
        if (_config.WeightDecay > 0 && DecayedCount > 0)
            using (var decayed = Parameters.narrow(0, 0, DecayedCount)) decayed.mul_(1 - lr * _config.WeightDecay);
        ExpAvg.mul_(b1).add_(Gradients, 1 - b1);
        ExpAvgSq.mul_(b2).addcmul_(Gradients, Gradients, 1 - b2);
        using var denom = ExpAvgSq.sqrt().div_(Math.Sqrt(bc2)).add_(_config.Eps);
        Parameters.addcdiv_(ExpAvg, denom, -lr / bc1);
    }

    /// <summary>Restores moments and step count (from a checkpoint); parameters are restored through <see cref="Parameters"/>.</summary>
    public void RestoreState(long stepCount) => StepCount = stepCount;

    public void Dispose()
    {
        Parameters.Dispose(); Gradients.Dispose(); ExpAvg.Dispose(); ExpAvgSq.Dispose();
    }
}
