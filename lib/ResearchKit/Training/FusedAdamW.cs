using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>
/// libtorch's fused AdamW kernel (<c>torch._fused_adamw_</c>, the kernel of <c>torch.optim.AdamW(fused=True)</c>, on CPU
/// and CUDA), with the gradient norm, the clip factor and the finite check around it, all on the device. TorchSharp has no
/// binding for the op, so it is reached through a small TorchScript function; the clip factor goes in as the kernel's
/// gradient scale (it divides gradients by it) and a non-finite loss or norm as its <c>found_inf</c> flag (it then
/// leaves every buffer as it was).
/// </summary>
internal static class FusedAdamW
{
    const string Script = """
        def step(p_decay: List[Tensor], g_decay: List[Tensor], m_decay: List[Tensor], v_decay: List[Tensor],
                 p_rest: List[Tensor], g_rest: List[Tensor], m_rest: List[Tensor], v_rest: List[Tensor],
                 applied_steps: List[Tensor], all_grads: Tensor, loss: Tensor,
                 lr: float, beta1: float, beta2: float, eps: float, weight_decay: float, max_norm: float,
                 has_decay: bool, has_rest: bool) -> Tensor:
            norm = torch.linalg_vector_norm(all_grads, 2.0, None, False, dtype=6)  # 6: float32 (dtype names do not resolve here)
            finite = torch.isfinite(norm) & torch.isfinite(loss).all()
            found_inf = torch.logical_not(finite).float().reshape([1])
            if max_norm > 0.0:
                grad_scale = torch.clamp((norm + 1e-6) / max_norm, min=1.0).reshape([1])
            else:
                grad_scale = torch.ones_like(norm).reshape([1])
            applied_steps[0].add_(finite.float())
            if has_decay:
                torch._fused_adamw_(p_decay, g_decay, m_decay, v_decay, [], applied_steps, lr=lr, beta1=beta1, beta2=beta2,
                                    weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False,
                                    grad_scale=grad_scale, found_inf=found_inf)
            if has_rest:
                torch._fused_adamw_(p_rest, g_rest, m_rest, v_rest, [], applied_steps, lr=lr, beta1=beta1, beta2=beta2,
                                    weight_decay=0.0, eps=eps, amsgrad=False, maximize=False,
                                    grad_scale=grad_scale, found_inf=found_inf)
            return norm
        """;
    // The buffers come in as list arguments: TorchScript drops an in-place op on lists built inside the function.

    static readonly Lazy<(jit.CompilationUnit? Unit, string? Error)> Compiled = new(Compile);

    public static bool Available => Compiled.Value.Unit is not null;
    public static string? Unavailable => Compiled.Value.Error;

    static (jit.CompilationUnit?, string?) Compile()
    {
        try
        {
            var unit = torch.jit.compile(Script + "\n");   // the parser wants a final newline
            // Probe once: an old libtorch may compile the call and lack the CPU kernel.
            using var scope = torch.NewDisposeScope();
            var p = torch.ones(2); var g = torch.ones(2); var m = torch.zeros(2); var v = torch.zeros(2);
            Tensor[] One(Tensor t) => [t];
            unit.invoke("step", One(p), One(g), One(m), One(v), One(p), One(g), One(m), One(v), One(torch.zeros(1)), g, torch.zeros(1),
                        0.1, 0.9, 0.95, 1e-8, 0.0, 0.0, true, false);
            return p.allclose(torch.full(2, 0.9f), 1e-5, 1e-6) ? (unit, null) : (null, "the fused kernel's probe step gave a wrong result");
        }
        catch (Exception e)
        {
            return (null, e.Message.Split('\n')[0]);
        }
    }

    /// <summary>Runs the step on both parameter groups; returns the pre-clip gradient norm (float32 scalar on the device).</summary>
    public static Tensor Step(Tensor pDecay, Tensor gDecay, Tensor mDecay, Tensor vDecay, Tensor pRest, Tensor gRest, Tensor mRest, Tensor vRest,
                              Tensor allGradients, Tensor appliedSteps, Tensor loss, double lr, OptimizerConfig config, bool hasDecay, bool hasRest)
    {
        var unit = Compiled.Value.Unit ?? throw new NotSupportedException($"fused AdamW is unavailable: {Unavailable}");
        Tensor[] One(Tensor t) => [t];
        return (Tensor)unit.invoke("step", One(pDecay), One(gDecay), One(mDecay), One(vDecay), One(pRest), One(gRest), One(mRest), One(vRest),
                                   One(appliedSteps), allGradients, loss, lr, config.Beta1, config.Beta2, config.Eps, config.WeightDecay, config.GradClip, hasDecay, hasRest);
    }
}
