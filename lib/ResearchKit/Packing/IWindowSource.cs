using System.Text.Json.Nodes;

namespace ResearchKit.Packing;

/// <summary>
/// Where training windows come from: a packer over documents, or a sampler over several packers. Seeded,
/// deterministic and resumable from <see cref="State"/>. A training phase switch (MeCo's cooldown) changes
/// <see cref="IncludePrefixes"/> on the same source, so the stream continues where it was.
/// </summary>
public interface IWindowSource
{
    /// <summary>The next window; epochs roll over forever.</summary>
    PackedWindow Next();

    /// <summary>Whether documents' loss-masked prefixes are placed in windows from now on.</summary>
    bool IncludePrefixes { get; set; }

    /// <summary>Everything needed to continue exactly here (small: positions and generator states).</summary>
    JsonNode State { get; }

    void Restore(JsonNode state);
}

/// <summary>A window source over one list of documents; it can also run one epoch to its end (evaluation).</summary>
public interface IPacker : IWindowSource
{
    /// <summary>The next window of the current epoch, the last one padded with untrainable end-of-text; null when the epoch is done.</summary>
    PackedWindow? NextInEpoch();

    /// <summary>What packing has done so far (diagnostics; not part of <see cref="IWindowSource.State"/>).</summary>
    PackerStats Stats { get; }
}

/// <summary>Counters of a packer: windows and tokens emitted, padding, and documents cut across windows or truncated.</summary>
public sealed class PackerStats
{
    public long Windows { get; internal set; }
    public long Tokens { get; internal set; }
    public long PaddingTokens { get; internal set; }
    /// <summary>Documents (pieces of which were) placed in a window.</summary>
    public long Documents { get; internal set; }
    /// <summary>Documents whose tokens were split over more than one window.</summary>
    public long DocumentsCut { get; internal set; }
    /// <summary>Documents that lost tokens (longer than a window, truncated).</summary>
    public long DocumentsTruncated { get; internal set; }
    public long DroppedTokens { get; internal set; }

    public double PaddingFraction => Tokens == 0 ? 0 : (double)PaddingTokens / Tokens;
    /// <summary>Share of documents that did not fit whole into one window (cut or truncated).</summary>
    public double CutFraction => Documents == 0 ? 0 : (double)(DocumentsCut + DocumentsTruncated) / Documents;
}
