using System.Globalization;
using System.Text.RegularExpressions;

namespace ResearchKit.MeCo;

/// <summary>
/// The host of a URL, normalised so that one site always gives one string: scheme-insensitive, userinfo, port,
/// path and trailing dot removed, lower-case, internationalised names in Unicode form (<c>xn--mnchen-3ya.de</c> and
/// <c>MÜNCHEN.de</c> both give <c>münchen.de</c>). Parsing is System.Uri's (RFC 3986 + IDNA), not a regex.
/// </summary>
public static partial class UrlHost
{
    /// <summary>
    /// Returns the normalised host, or null when <paramref name="url"/> is blank or has no host.
    /// A URL without a scheme (<c>example.com/path</c>, <c>//example.com</c>) is read as http. <c>mailto:a@b.org</c>
    /// gives the mail domain <c>b.org</c>. IPv4 hosts are returned as written, IPv6 hosts in brackets (<c>[::1]</c>).
    /// </summary>
    public static string? Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var s = url.Trim();
        if (s.StartsWith("//", StringComparison.Ordinal)) s = "http:" + s;
        else if (!HierarchicalScheme().IsMatch(s) && !s.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) s = "http://" + s;
        if (!Uri.TryCreate(s, UriKind.Absolute, out var uri)) return null;
        switch (uri.HostNameType)
        {
            case UriHostNameType.IPv4:
                return uri.Host;
            case UriHostNameType.IPv6:
                return uri.Host.ToLowerInvariant();
            case UriHostNameType.Dns or UriHostNameType.Basic:
                var ascii = uri.IdnHost.TrimEnd('.');
                if (ascii.Length == 0) return null;
                string unicode;
                try { unicode = new IdnMapping().GetUnicode(ascii); }
                catch (ArgumentException) { unicode = ascii; } // not valid IDNA (e.g. bad punycode): keep the ASCII form
                return unicode.ToLowerInvariant();
            default:
                return null;
        }
    }

    /// <summary>True for an IPv4 or bracketed IPv6 host as returned by <see cref="Parse"/>.</summary>
    public static bool IsIpAddress(string host) =>
        host.StartsWith('[') || host.Count(c => c == '.') == 3 && host.All(c => c == '.' || char.IsAsciiDigit(c));

    // "scheme://": without it, "localhost:8080/x" would parse as scheme "localhost".
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*://")]
    private static partial Regex HierarchicalScheme();
}
