using System.Runtime.CompilerServices;
using ResearchKit.Training;

namespace ResearchKit.DoReMi;

/// <summary>Excess: λ = token mean of max(ℓ_proxy − ℓ_ref, 0) (DoReMi). Hardest: λ = mean proxy loss (no reference).
/// Easiest: λ = −mean reference loss, no clip.</summary>
public enum DroVariant { Excess, Hardest, Easiest }

/// <summary>
/// DoReMi's proxy objective (Xie et al. 2023): Group DRO against a frozen reference model. Windows must be drawn with
/// explicit domain weights (<see cref="DataConfig.DomainWeights"/>): the loss is reweighted by α over those sampling
/// weights, so natural sampling with an objective that assumed uniform would silently mis-weight it. End-of-text
/// targets are excluded from λ and the loss when the data config does not train them (<see cref="DataConfig.TrainEndOfText"/>).
/// </summary>
/// <param name="ReferenceCheckpoint">checkpoint.bin of the reference run (not used by <see cref="DroVariant.Hardest"/>).
/// A path, so not part of the hash: a pipeline stage that trains the reference is an input of the proxy's stage.</param>
/// <param name="ReferenceInitScore">Start every λ at ln V as the reference code does, instead of 0.</param>
public sealed record GroupDroObjective(DroVariant Variant = DroVariant.Excess, double Eta = 1.0, double Smoothing = 1e-3, bool ReferenceInitScore = false) : ObjectiveSpec
{
    [NotHashed] public string? ReferenceCheckpoint { get; init; }

    public override bool UsesReference => Variant != DroVariant.Hardest;

    public override ObjectiveSpec WithReference(string checkpoint) => this with { ReferenceCheckpoint = checkpoint };

    public override ITrainingObjective Build(ObjectiveContext context)
    {
        if (Variant != DroVariant.Hardest && ReferenceCheckpoint is null)
            throw new ArgumentException($"Group DRO '{Variant}' needs ReferenceCheckpoint (the reference run's checkpoint.bin)");
        if (Variant == DroVariant.Hardest) return new GroupDro(this, context, reference: null);
        if (!File.Exists(ReferenceCheckpoint)) throw new FileNotFoundException($"the reference checkpoint {ReferenceCheckpoint} does not exist", ReferenceCheckpoint);
        var shape = Checkpoint.ReadModelConfig(ReferenceCheckpoint!);
        if (shape.VocabSize != context.VocabSize)   // checked before loading: a wrong reference costs no memory
            throw new DataFormatException(ReferenceCheckpoint!, null, "Model.VocabSize",
                $"the reference model's vocabulary ({shape.VocabSize}) differs from the proxy's ({context.VocabSize}): it was trained with another tokenizer");
        return new GroupDro(this, context, Checkpoint.LoadModel(ReferenceCheckpoint!, context.Device, context.Precision), referenceFile: ReferenceCheckpoint);
    }

#pragma warning disable CA2255 // the kit registers its own spec kinds when its assembly loads, before any config is read
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterKind() => SpecTypes.Register<ObjectiveSpec, GroupDroObjective>("group-dro");
}
