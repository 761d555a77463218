using System.Security.Cryptography;
using System.Text;
using ResearchKit.Corpus;

namespace ResearchKit.MeCo;

/// <summary>
/// The MeCo metadata prefix of a document: <c>TextBefore + metadata + TextAfter</c>, by default <c>"URL: {host}\n\n"</c>.
/// <para>Fallback: the URL-derived kinds (full URL, host, registered domain, suffix, hashed host) use the document's
/// <see cref="Document.Source"/> when it has no usable URL (none, or no host in it, or no suffix for that host), then its
/// <see cref="Document.Domain"/>; so every document from one source gets one prefix. <see cref="MetadataKind.Topic"/>
/// has no fallback: a document without that key gets no prefix.</para>
/// <para>Newlines and other control characters inside the metadata are replaced by spaces, so the metadata is always one
/// line and cannot imitate the separator.</para>
/// </summary>
public static partial class MetadataPrefix
{
    /// <summary>The full prefix text, or null when the document gets no prefix.</summary>
    public static string? For(Document document, MetadataSpec spec) =>
        Value(document, spec) is { } value ? spec.TextBefore + value + spec.TextAfter : null;

    /// <summary>The metadata string alone (what goes between <see cref="MetadataSpec.TextBefore"/> and <see cref="MetadataSpec.TextAfter"/>).</summary>
    public static string? Value(Document document, MetadataSpec spec)
    {
        var host = UrlHost.Parse(document.Url);
        string? value = spec.Kind switch
        {
            MetadataKind.None => null,
            MetadataKind.FullUrl => OneLine(document.Url) ?? Fallback(document),
            MetadataKind.Host => host ?? Fallback(document),
            MetadataKind.ShortUrl => ShortUrl(document.Url) ?? Fallback(document),
            MetadataKind.RegisteredDomain => (host is null ? null : PublicSuffix.RegisteredDomain(host)) ?? Fallback(document),
            MetadataKind.Suffix => (host is null ? null : PublicSuffix.Of(host)) ?? Fallback(document),
            MetadataKind.HashedHost => (host ?? Fallback(document)) is { } site ? Hash(site, spec.HashLength, spec.HashSalt) : null,
            MetadataKind.Topic => spec.TopicKeys.Select(k => document.Meta?.GetValueOrDefault(k)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)),
            MetadataKind.Fixed => spec.FixedText ?? throw new ArgumentException("MetadataKind.Fixed needs MetadataSpec.FixedText", nameof(spec)),
            _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "unknown metadata kind"),
        };
        return OneLine(value);
    }

    /// <summary>The first <paramref name="length"/> lower-case hex characters of SHA-256(UTF-8(salt + site)): the same on every run and platform.</summary>
    public static string Hash(string site, int length = 16, string salt = "")
    {
        if (length is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(length), length, "hash length must be 1..64 hex characters");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(salt + site)))[..length];
    }

    /// <summary>The reference's <c>re.sub('https?://', '', url).split('/')[0]</c>.</summary>
    internal static string? ShortUrl(string? url) =>
        string.IsNullOrWhiteSpace(url) ? null : OneLine(ShortUrlScheme().Replace(url.Trim(), "").Split('/')[0]);

    [System.Text.RegularExpressions.GeneratedRegex("https?://")]
    private static partial System.Text.RegularExpressions.Regex ShortUrlScheme();

    static string? Fallback(Document d) => OneLine(d.Source) ?? OneLine(d.Domain);

    static string? OneLine(string? s)
    {
        if (string.IsNullOrWhiteSpace(s)) return null;
        var sb = new StringBuilder(s.Length);
        bool space = false;
        foreach (var c in s.Trim())
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { space = true; continue; }
            if (space && sb.Length > 0) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.Length == 0 ? null : sb.ToString();
    }
}
