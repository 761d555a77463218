using ResearchKit.Corpus;

namespace ResearchKit.ProX;

/// <summary>
/// Ground truth for a document that no model wrote. Document level: mail in domain "mail-spam" should be dropped,
/// "mail-ham" kept (data-samples/sample.parquet); other domains have no drop label. Chunk level: the boilerplate lines
/// of an HTML documentation page (data-samples/prox-lines.parquet), in <c>meta["boilerplate"]</c> as 0-based inclusive
/// ranges of <c>text.Split('\n')</c> ("0-11,87-95"; "" for none); documents without that key have no line labels.
/// </summary>
public sealed record ProxLabel(bool? Drop, IReadOnlyList<LineRange>? Boilerplate)
{
    public const string SpamDomain = "mail-spam";
    public const string HamDomain = "mail-ham";
    public const string BoilerplateKey = "boilerplate";

    /// <exception cref="FormatException"><c>meta["boilerplate"]</c> is not a list of ranges.</exception>
    public static ProxLabel Of(Document document)
    {
        bool? drop = document.Domain switch { SpamDomain => true, HamDomain => false, _ => null };
        var boilerplate = document.Meta is { } meta && meta.TryGetValue(BoilerplateKey, out var ranges)
            ? LineRange.Parse(ranges)
            : null;
        return new ProxLabel(drop, boilerplate);
    }
}
