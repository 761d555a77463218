using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>AdamW hyper-parameters; <see cref="GradClip"/> is the global grad-norm limit (0 = off).</summary>
public sealed record OptimizerConfig(double Lr = 1e-3, double Beta1 = 0.9, double Beta2 = 0.95, double Eps = 1e-8, double WeightDecay = 0.1, double GradClip = 1.0);

/// <summary>How <see cref="FlatAdamW"/> updates its buffers.</summary>
public enum AdamWKernel
{
    /// <summary>libtorch's fused AdamW (<c>torch._fused_adamw_</c>, what <c>torch.optim.AdamW(fused=True)</c> runs): one
    /// read of parameters, gradients and moments and one write of parameters and moments per step.</summary>
    Fused,
    /// <summary>In-place tensor ops over cache-sized chunks (the fallback where the fused kernel is missing).</summary>
    InPlace,
}

/// <summary>Memory traffic of one optimizer step, in passes over a full flat buffer (a buffer read once = 1).</summary>
public sealed record OptimizerPasses(double Reads, double Writes, string Breakdown)
{
    public double Total => Reads + Writes;
    public override string ToString() => $"{Total:0.#} buffer passes/step ({Reads:0.#} reads + {Writes:0.#} writes: {Breakdown})";
}

/// <summary>
/// AdamW over one flat buffer. On construction every parameter of the model is moved into a single contiguous
/// tensor (each parameter becomes a view into it) and its gradient into a second one, matrices first; the step is
/// then one fused kernel (or a handful of whole-buffer ops) instead of a few kernels per parameter. Weight decay
/// (decoupled, as torch.optim.AdamW) touches only the matrix prefix, never norms or biases.
/// <para>A step never waits for the device: the gradient norm, the clip factor and the finite check stay on the
/// device. When the loss or the gradient norm is not finite the step changes nothing (parameters, moments and the
/// bias-correction count stay as they were), like a gradient scaler's skipped step; the trainer reads the norm later
/// and stops.</para>
/// </summary>
public sealed class FlatAdamW : IDisposable
{
    /// <summary>Name, offset and shape of each parameter in the flat buffers (the checkpoint layout).</summary>
    public sealed record Slot(string Name, long Offset, long[] Shape);

    readonly OptimizerConfig _config;
    readonly Tensor _appliedSteps;   // float32 [1] on the device: steps applied (the fused kernel's bias correction)
    public Tensor Parameters { get; }
    public Tensor Gradients { get; }
    public Tensor ExpAvg { get; }
    public Tensor ExpAvgSq { get; }
    public IReadOnlyList<Slot> Layout { get; }
    /// <summary>Elements at the front of the buffers that get weight decay (all matrices).</summary>
    public long DecayedCount { get; }
    /// <summary>Steps taken (the checkpoint's count; a skipped non-finite step ends training before it is saved). The
    /// bias corrections use the count of steps applied, kept on the device.</summary>
    public long StepCount { get; private set; }
    public AdamWKernel Kernel { get; }

    /// <param name="kernel">null = fused when this libtorch has it, else in place.</param>
    public FlatAdamW(nn.Module model, OptimizerConfig config, AdamWKernel? kernel = null)
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
        _appliedSteps = torch.zeros(1, ScalarType.Float32, device);
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
        Kernel = kernel ?? (FusedAdamW.Available ? AdamWKernel.Fused : AdamWKernel.InPlace);
        if (Kernel == AdamWKernel.Fused && !FusedAdamW.Available)
            throw new NotSupportedException($"this libtorch has no fused AdamW: {FusedAdamW.Unavailable}");
    }

    public void ZeroGrad() => Gradients.zero_();

    /// <summary>Buffer passes of <see cref="ZeroGrad"/> plus <see cref="Step"/> (what the benchmark reports). Counted
    /// from the ops each kernel runs; the in-place kernel's chunk-sized scratch (cache-resident on CPU) is not counted.</summary>
    public OptimizerPasses Passes
    {
        get
        {
            double d = (double)DecayedCount / Math.Max(1, Parameters.numel());   // weight decay touches the matrix part only
            bool clip = _config.GradClip > 0;
            if (Kernel == AdamWKernel.Fused)
                // zero G: 1w. norm: 1r. fused kernel: reads P, G, M, V; writes P, M, V (and G, rescaled, when a clip scale is passed).
                return new OptimizerPasses(1 + 4, 1 + 3 + (clip ? 1 : 0), $"zero grads 1w, grad norm 1r, fused AdamW 4r+{(clip ? 4 : 3)}w");
            // zero G: 1w. norm: 1r. finite mask on G: 1r+1w. clip G: 1r+1w. decay P: d r+w. M.lerp_(G): 2r+1w. V·=β2: 1r+1w.
            // V+=(1−β2)G²: 2r+1w. √V into scratch: 1r. M/denominator into scratch: 1r. P+=: 1r+1w.
            return new OptimizerPasses(1 + 1 + 1 + d + 2 + 1 + 2 + 1 + 1 + 1, 1 + 1 + 1 + d + 1 + 1 + 1 + 1,
                                       "zero grads 1w, grad norm 1r, finite mask 1r+1w, clip 1r+1w, decay, moments 5r+3w, update 3r+1w");
        }
    }

    /// <summary>
    /// One AdamW step at learning rate <paramref name="lr"/> (the update of torch.optim.AdamW), after scaling the
    /// gradients to a global L2 norm of at most <c>GradClip</c> (as torch.nn.utils.clip_grad_norm_). Nothing changes
    /// when <paramref name="loss"/> or the norm is not finite. Returns the pre-clip gradient norm, a float32 scalar on the
    /// device (read it when convenient: reading waits for the device).
    /// </summary>
    public Tensor Step(double lr, Tensor? loss = null)
    {
        StepCount++;
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var lossValue = loss?.detach().reshape(1).to_type(ScalarType.Float32) ?? torch.zeros(1, ScalarType.Float32, Parameters.device);
        var norm = Kernel == AdamWKernel.Fused ? FusedStep(lr, lossValue) : InPlaceStep(lr, lossValue);
        return norm.MoveToOuterDisposeScope();
    }

    Tensor FusedStep(double lr, Tensor loss)
    {
        long n = Parameters.numel(), rest = n - DecayedCount;
        Tensor Part(Tensor buffer, bool decayed) => decayed ? buffer.narrow(0, 0, DecayedCount) : buffer.narrow(0, DecayedCount, rest);
        return FusedAdamW.Step(
            Part(Parameters, true), Part(Gradients, true), Part(ExpAvg, true), Part(ExpAvgSq, true),
            Part(Parameters, false), Part(Gradients, false), Part(ExpAvg, false), Part(ExpAvgSq, false),
            Gradients, _appliedSteps, loss, lr, _config, DecayedCount > 0, rest > 0);
    }

    /// <summary>Elements per chunk of the in-place step: a few MiB on CPU (the chunk's ops run in cache), larger on
    /// accelerators (fewer kernel launches).</summary>
    long ChunkElements => Parameters.device.type == DeviceType.CPU ? 1L << 18 : 1L << 24;

    Tensor InPlaceStep(double lr, Tensor loss)
    {
        long n = Parameters.numel(), chunk = ChunkElements;
        var device = Parameters.device;
        var dtype = Parameters.dtype;
        Tensor Scalar(Tensor t) => t.reshape(Array.Empty<long>());   // 0-dim: mixes with bf16 buffers like a number
        // Norm in fp32 chunk by chunk: no full fp32 copy of bf16 gradients.
        var squares = torch.zeros(Array.Empty<long>(), ScalarType.Float32, device);
        for (long at = 0; at < n; at += chunk)
        {
            using var chunkScope = torch.NewDisposeScope();
            var g = Gradients.narrow(0, at, Math.Min(chunk, n - at));
            squares.add_(g.dtype == ScalarType.Float32 ? g.dot(g) : g.to_type(ScalarType.Float32).square().sum());
        }
        var norm = squares.sqrt();
        var finite = norm.isfinite().logical_and_(Scalar(loss).isfinite());
        var skip = finite.logical_not();
        var take = finite.to_type(ScalarType.Float32);
        var clip = _config.GradClip > 0 ? (_config.GradClip / (norm + 1e-6)).clamp_max_(1.0).masked_fill_(skip, 1.0) // finite when skipping: 0·NaN is NaN
                                        : torch.ones(Array.Empty<long>(), ScalarType.Float32, device);
        double b1 = _config.Beta1, b2 = _config.Beta2;
        // Bias corrections from the applied-step count on the device, as the fused kernel: a skipped step does not count.
        _appliedSteps.add_(take);
        var steps = Scalar(_appliedSteps).to_type(ScalarType.Float64);
        var biasCorrection1 = 1 - torch.pow(b1, steps);
        var biasCorrection2Root = (1 - torch.pow(b2, steps)).sqrt_().to_type(ScalarType.Float32);
        var decay = 1 - take * (lr * _config.WeightDecay);                        // 1 on a skipped step
        var firstMoment = (take * (1 - b1)).to_type(dtype);                       // lerp weight (the buffers' dtype): 0 keeps M
        var secondDecay = 1 - take * (1 - b2);                                    // 1 keeps V
        var update = (take * (-lr / biasCorrection1)).to_type(ScalarType.Float32);
        for (long at = 0; at < n; at += chunk)
        {
            using var chunkScope = torch.NewDisposeScope();
            long len = Math.Min(chunk, n - at);
            var g = Gradients.narrow(0, at, len).masked_fill_(skip, 0).mul_(clip);
            var p = Parameters.narrow(0, at, len);
            var m = ExpAvg.narrow(0, at, len);
            var v = ExpAvgSq.narrow(0, at, len);
            if (_config.WeightDecay > 0 && at < DecayedCount)
                p.narrow(0, 0, Math.Min(len, DecayedCount - at)).mul_(decay);
            m.lerp_(g, firstMoment);
            v.mul_(secondDecay).addcmul_(g, g, 1 - b2);
            var denominator = v.sqrt().div_(biasCorrection2Root).add_(_config.Eps);
            p.addcmul_(m.div(denominator), update, 1);
        }
        return norm;
    }

    /// <summary>Restores moments and step count (from a checkpoint); parameters are restored through <see cref="Parameters"/>.</summary>
    public void RestoreState(long stepCount)
    {
        StepCount = stepCount;
        _appliedSteps.fill_(stepCount);
    }

    public void Dispose()
    {
        Parameters.Dispose(); Gradients.Dispose(); ExpAvg.Dispose(); ExpAvgSq.Dispose(); _appliedSteps.Dispose();
    }
}
