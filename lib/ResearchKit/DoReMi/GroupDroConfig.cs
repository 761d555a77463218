namespace ResearchKit.DoReMi;

/// <summary>Excess: λ = token mean of max(ℓ_proxy − ℓ_ref, 0) (DoReMi). Hardest: λ = mean proxy loss (no reference).
/// Easiest: λ = −mean reference loss, no clip.</summary>
public enum DroVariant { Excess, Hardest, Easiest }

/// <summary>DoReMi proxy training: a frozen reference model and the Group-DRO domain-weight update.</summary>
/// <param name="ReferenceCheckpoint">checkpoint.bin of the reference run (not needed for <see cref="DroVariant.Hardest"/>).</param>
/// <param name="ReferenceInitScore">Start every λ at ln V as the reference code does, instead of 0.</param>
public sealed record GroupDroConfig(string? ReferenceCheckpoint, DroVariant Variant = DroVariant.Excess, double Eta = 1.0, double Smoothing = 1e-3, bool ReferenceInitScore = false);
