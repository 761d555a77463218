using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Which micro-batch of an optimizer step is running (gradient accumulation).</summary>
public readonly record struct MicroBatch(int Index, int Count)
{
    public bool IsLast => Index == Count - 1;
}

/// <summary>What an objective needs to know about the run it serves.</summary>
/// <param name="Domains">Domain names; a batch's domain ids index this list.</param>
/// <param name="SamplingWeights">The domain weights windows are drawn with; null = natural proportions.</param>
public sealed record ObjectiveContext(IReadOnlyList<string> Domains, IReadOnlyList<double>? SamplingWeights, int VocabSize, Device Device, Precision Precision);

/// <summary>
/// The training objective seam: turns the model's per-token loss into the loss to backpropagate, owns whatever
/// per-step state it needs (DoReMi's domain weights) and saves it in checkpoints. The engine knows nothing else
/// about it.
/// </summary>
public interface ITrainingObjective : IDisposable
{
    /// <summary>The scalar loss of one micro-batch, from the model's per-token loss [B, T] (with its graph).</summary>
    Tensor Loss(Tensor perTokenLoss, Batch batch, MicroBatch micro);

    /// <summary>Scalars to log with the step that just ran (e.g. <c>w_&lt;domain&gt;</c>); empty when none.</summary>
    IReadOnlyDictionary<string, double> StepMetrics { get; }

    /// <summary>Final scalars of the run (e.g. averaged domain weights); empty when none.</summary>
    IReadOnlyDictionary<string, double> Summary { get; }

    /// <summary>State to checkpoint; null when there is none.</summary>
    JsonNode? State { get; }

    void Restore(JsonNode state);

    /// <summary>Writes the objective's outputs beside a finished run's checkpoint (DoReMi: its domain weights).</summary>
    void Publish(string directory);
}

/// <summary>A training objective as config: the kind a run trains with. Derive and register a kind with <see cref="SpecTypes"/>.</summary>
public abstract record ObjectiveSpec
{
    public abstract ITrainingObjective Build(ObjectiveContext context);

    /// <summary>Whether the objective reads a frozen reference model (given by <see cref="WithReference"/>).</summary>
    public virtual bool UsesReference => false;

    /// <summary>The same objective reading the reference model in <paramref name="checkpoint"/> (a pipeline stage's output).</summary>
    public virtual ObjectiveSpec WithReference(string checkpoint) =>
        throw new ArgumentException($"the '{SpecTypes.KindOf(this)}' objective does not use a reference model");

#pragma warning disable CA2255 // the kit registers its own spec kinds when its assembly loads, before any config is read
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterKinds() => SpecTypes.Register<ObjectiveSpec, NextTokenObjective>("next-token");
}

/// <summary>
/// An objective whose per-step scalars stay on the device: the trainer copies <see cref="StepMetricValues"/> into its
/// device log after every step and reads them with the loss every <see cref="TrainConfig.LogEvery"/> steps, instead of
/// reading <see cref="ITrainingObjective.StepMetrics"/> (which may wait for the device) per step.
/// </summary>
public interface IDeviceStepMetrics
{
    /// <summary>Names of the values, in order (fixed for the run).</summary>
    IReadOnlyList<string> StepMetricNames { get; }

    /// <summary>[names] floating-point values on the device after the step that just ran; the trainer copies them at once.</summary>
    Tensor StepMetricValues { get; }
}
