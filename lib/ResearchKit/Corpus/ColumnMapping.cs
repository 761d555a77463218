namespace ResearchKit.Corpus;

/// <summary>
/// Which input columns (JSON fields or Parquet columns) become which <see cref="Document"/> fields.
/// <para>Id: the <see cref="Id"/> column; when it is null or the value is absent and <see cref="DeriveMissingId"/>
/// is set, the id is "&lt;file name&gt;:&lt;record&gt;" (stable as long as the shard keeps its name and order).</para>
/// <para>Domain: the <see cref="Domain"/> column; else the URL's host when <see cref="DomainFromUrlHost"/>;
/// else <see cref="FallbackDomain"/>; else the record is rejected.</para>
/// <para>Meta: the <see cref="MetaObject"/> column (a JSON object of strings, or in Parquet a string holding one)
/// is merged into Meta, then the <see cref="MetaColumns"/> (null: every column not mapped above) are copied in as
/// strings (numbers and booleans in invariant form, nested JSON as its raw text).</para>
/// </summary>
public sealed record ColumnMapping
{
    public string Text { get; init; } = "text";
    public string? Id { get; init; } = "id";
    public bool DeriveMissingId { get; init; }
    public string? Domain { get; init; } = "domain";
    public bool DomainFromUrlHost { get; init; }
    public string? FallbackDomain { get; init; }
    public string? Url { get; init; } = "url";
    public string? Source { get; init; } = "source";
    public string? MetaObject { get; init; } = "meta";
    public IReadOnlyList<string>? MetaColumns { get; init; }

    /// <summary>ResearchKit's own layout (JSONL and Parquet): id, text, domain, url, source, meta; id and domain required.</summary>
    public static ColumnMapping Native { get; } = new();

    /// <summary>FineWeb / FineWeb-Edu Parquet: text, id, url, dump, date, language, ...; no domain column, so the
    /// domain is "fineweb" unless overridden.</summary>
    public static ColumnMapping FineWeb { get; } = new()
    {
        Domain = null, Source = null, MetaObject = null, FallbackDomain = "fineweb",
        MetaColumns = ["dump", "date", "language", "language_score", "score", "int_score"],
    };

    /// <summary>DCLM-baseline JSONL(.zst): text, url, metadata, warcinfo, quality scores; no id (derived from file
    /// name and line) and no domain ("dclm" unless overridden).</summary>
    public static ColumnMapping Dclm { get; } = new()
    {
        Id = null, DeriveMissingId = true, Domain = null, Source = null, MetaObject = null, FallbackDomain = "dclm",
        MetaColumns = ["fasttext_openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train_prob", "language_id_whole_page_fasttext"],
    };

    /// <summary>A preset by name: "native", "fineweb" or "dclm".</summary>
    public static ColumnMapping Preset(string name) => name.ToLowerInvariant() switch
    {
        "native" => Native,
        "fineweb" => FineWeb,
        "dclm" => Dclm,
        _ => throw new ArgumentException($"unknown column mapping '{name}' (known: native, fineweb, dclm)", nameof(name)),
    };

    internal bool IsMapped(string column) =>
        column == Text || column == Id || column == Domain || column == Url || column == Source || column == MetaObject;

    /// <summary>Resolves id and domain for one record, applying the fallbacks above.</summary>
    internal Document ToDocument(string file, long record, string text, string? id, string? domain, string? url,
                                 string? source, IReadOnlyDictionary<string, string>? meta)
    {
        if (string.IsNullOrEmpty(id))
        {
            if (!DeriveMissingId) throw new DataFormatException(file, record, Id ?? "id", "missing id (use a mapping that derives ids)");
            id = $"{Path.GetFileName(file)}:{record}";
        }
        if (string.IsNullOrEmpty(domain) && DomainFromUrlHost && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0)
            domain = uri.Host;
        if (string.IsNullOrEmpty(domain)) domain = FallbackDomain;
        if (string.IsNullOrEmpty(domain))
            throw new DataFormatException(file, record, Domain ?? "domain", "missing domain (give a fallback domain or derive it from the URL host)");
        return new Document(id, text, domain, string.IsNullOrEmpty(url) ? null : url, string.IsNullOrEmpty(source) ? null : source,
                            meta is { Count: > 0 } ? meta : null);
    }
}
