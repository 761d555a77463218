using System.Runtime.CompilerServices;
using ResearchKit.Tokenization;

namespace ResearchKit.Packing;

/// <summary>
/// How documents share context windows, as config: the packing seam. Each kind builds a packer over a list of
/// documents; an upstream document order (ICLM, cluster concatenation) arrives as that list. New strategies derive
/// from this record and register a kind with <see cref="SpecTypes"/>.
/// </summary>
public abstract record PackingSpec
{
    /// <summary>Block-diagonal causal attention with positions restarting per document, and no target across a document
    /// border. False = plain causal attention across the whole window (random concat, ICLM).</summary>
    public bool DocumentMask { get; init; } = true;

    /// <param name="documents">Document indices in the order to pack (all, one domain's, or an upstream order).</param>
    public abstract IPacker Build(ITokenDataset data, IReadOnlyList<int> documents, int windowLength, ulong seed, PackerOptions options);

#pragma warning disable CA2255 // the kit registers its own spec kinds when its assembly loads, before any config is read
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterKinds()
    {
        SpecTypes.Register<PackingSpec, ConcatPacking>("concat");
        SpecTypes.Register<PackingSpec, BestFitPacking>("best-fit");
    }
}

/// <summary>Concatenate documents and cut windows (<see cref="ConcatPacker"/>).</summary>
/// <param name="Shuffle">Shuffle documents each epoch (random concatenation). False keeps the given order: the dataset's,
/// or an upstream order such as an ICLM traversal or clusters.</param>
/// <param name="ShuffleWindowBlock">With a kept order, emit each run of this many consecutive windows in a seeded random
/// order, so a batch does not hold only neighbouring windows of one topic; 0 = emit in order.</param>
public sealed record ConcatPacking(bool Shuffle = true, int ShuffleWindowBlock = 0) : PackingSpec
{
    public override IPacker Build(ITokenDataset data, IReadOnlyList<int> documents, int windowLength, ulong seed, PackerOptions options)
    {
        if (ShuffleWindowBlock < 0) throw new ArgumentOutOfRangeException(nameof(ShuffleWindowBlock), "a shuffle block is 0 (off) or a positive number of windows");
        IPacker packer = new ConcatPacker(data, windowLength, seed, options, documents, Shuffle);
        return ShuffleWindowBlock > 1 ? new BlockShuffledPacker(packer, ShuffleWindowBlock, SeededRandom.Derive(seed, 0xB10C)) : packer;
    }
}

/// <summary>Complete-document, best-fit-decreasing packing (<see cref="BestFitPacker"/>).</summary>
public sealed record BestFitPacking(LongDocuments LongDocuments = LongDocuments.Split, int BufferDocuments = 10_000, bool Shuffle = true) : PackingSpec
{
    public override IPacker Build(ITokenDataset data, IReadOnlyList<int> documents, int windowLength, ulong seed, PackerOptions options) =>
        new BestFitPacker(data, windowLength, seed, options, documents, Shuffle, LongDocuments, BufferDocuments);
}
