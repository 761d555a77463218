namespace ResearchKit.MeCo;

/// <summary>Which metadata string a MeCo prefix carries (MeCo, Gao et al. 2025: URL variants).</summary>
public enum MetadataKind
{
    /// <summary>No prefix: standard pretraining, and the MeCo cooldown phase.</summary>
    None,
    /// <summary>The document's URL exactly as given (trimmed).</summary>
    FullUrl,
    /// <summary>The URL's host: lower-case, no scheme, userinfo, port or trailing dot (e.g. <c>en.wikipedia.org</c>).</summary>
    Host,
    /// <summary>The MeCo reference's <c>--use_short_url</c> string rule, exactly: every <c>http://</c> / <c>https://</c>
    /// removed (case-sensitive), then everything before the first <c>/</c>. Keeps userinfo, port and case
    /// (<c>User@EN.Wikipedia.org:443</c>); <c>ftp://x</c> gives <c>ftp:</c>. For comparing with the paper's runs.</summary>
    ShortUrl,
    /// <summary>The registrable domain, public suffix plus one label (e.g. <c>bbc.co.uk</c> for <c>news.bbc.co.uk</c>).</summary>
    RegisteredDomain,
    /// <summary>The public suffix alone (e.g. <c>co.uk</c>).</summary>
    Suffix,
    /// <summary>A stable hash of the host: the site identity without its name.</summary>
    HashedHost,
    /// <summary>A string from <see cref="Corpus.Document.Meta"/> (e.g. a model-generated topic).</summary>
    Topic,
    /// <summary>The same constant string for every document.</summary>
    Fixed,
}
