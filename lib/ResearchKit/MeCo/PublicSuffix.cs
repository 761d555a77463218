namespace ResearchKit.MeCo;

/// <summary>
/// Registered domain and public suffix of a host, by a compact rule: the longest match among an embedded subset of
/// the Public Suffix List's multi-label suffixes (<c>co.uk</c>, <c>com.au</c>, <c>github.io</c>, ...); otherwise the
/// last label. Limitation: this is not the full list (no wildcard or exception rules, a few hundred multi-label
/// suffixes are missing), so a host under a missing suffix gets a registered domain one label too short
/// (e.g. <c>example.kawasaki.jp</c> gives <c>kawasaki.jp</c>). No PSL package is available to this kit.
/// </summary>
public static class PublicSuffix
{
    /// <summary>The suffix of a normalised host (<see cref="UrlHost.Parse"/>), or null for a single-label host or an IP address.</summary>
    public static string? Of(string host)
    {
        if (UrlHost.IsIpAddress(host)) return null;
        var labels = host.Split('.');
        for (int i = 0; i < labels.Length - 1; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            if (MultiLabel.Contains(candidate)) return candidate;
        }
        return labels.Length >= 2 ? labels[^1] : null;
    }

    /// <summary>
    /// The suffix plus one label (<c>news.bbc.co.uk</c> gives <c>bbc.co.uk</c>). A single-label host or an IP address
    /// is its own registered domain; a host that is itself a suffix (<c>co.uk</c>) has none (null).
    /// </summary>
    public static string? RegisteredDomain(string host)
    {
        var suffix = Of(host);
        if (suffix is null) return host;
        if (host.Length == suffix.Length) return null;
        var rest = host[..(host.Length - suffix.Length - 1)];
        return rest[(rest.LastIndexOf('.') + 1)..] + "." + suffix;
    }

    // A subset of https://publicsuffix.org/list/ (ICANN and a few common private-section entries).
    static readonly HashSet<string> MultiLabel = new(StringComparer.Ordinal)
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "net.uk", "me.uk", "ltd.uk", "plc.uk", "nhs.uk", "sch.uk", "police.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
        "co.nz", "org.nz", "ac.nz", "govt.nz", "net.nz", "school.nz",
        "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
        "co.kr", "or.kr", "ac.kr", "go.kr", "re.kr", "ne.kr",
        "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",
        "com.tw", "org.tw", "edu.tw", "gov.tw", "net.tw",
        "com.hk", "org.hk", "edu.hk", "gov.hk", "net.hk",
        "com.sg", "edu.sg", "gov.sg", "org.sg", "net.sg",
        "co.in", "net.in", "org.in", "ac.in", "gov.in", "edu.in", "res.in", "nic.in",
        "com.br", "net.br", "org.br", "gov.br", "edu.br",
        "com.mx", "org.mx", "gob.mx", "edu.mx", "net.mx",
        "com.ar", "gob.ar", "edu.ar", "org.ar",
        "co.za", "org.za", "ac.za", "gov.za", "net.za",
        "com.tr", "org.tr", "edu.tr", "gov.tr", "net.tr",
        "co.il", "ac.il", "org.il", "gov.il",
        "co.id", "ac.id", "or.id", "go.id",
        "com.my", "edu.my", "gov.my", "org.my",
        "com.ph", "edu.ph", "gov.ph",
        "com.vn", "edu.vn", "gov.vn",
        "com.ua", "org.ua", "gov.ua",
        "com.pl", "org.pl", "net.pl",
        "com.es", "org.es", "gob.es", "edu.es",
        "co.at", "or.at", "ac.at", "gv.at",
        "com.pt", "org.pt", "gov.pt",
        "com.eg", "edu.eg", "gov.eg",
        "com.sa", "edu.sa", "gov.sa",
        "com.ng", "edu.ng", "gov.ng",
        "co.ke", "ac.ke", "go.ke",
        "github.io", "gitlab.io", "readthedocs.io", "blogspot.com", "herokuapp.com", "appspot.com",
        "netlify.app", "vercel.app", "web.app", "firebaseapp.com", "pages.dev", "workers.dev",
        "azurewebsites.net", "cloudfront.net", "s3.amazonaws.com",
    };
}
