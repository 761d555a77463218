using System.CommandLine;
using ResearchKit.Corpus;

namespace ResearchKit.Cli;

/// <summary>Options shared by every command that reads a corpus: which input columns mean what.</summary>
sealed class MappingOptions
{
    readonly Option<string> _preset = new("--mapping") { Description = "column preset: native (id,text,domain,url,source,meta), fineweb, dclm", DefaultValueFactory = _ => "native" };
    readonly Option<string?> _text = new("--text-column") { Description = "column holding the text" };
    readonly Option<string?> _id = new("--id-column") { Description = "column holding the id" };
    readonly Option<string?> _domain = new("--domain-column") { Description = "column holding the domain" };
    readonly Option<string?> _url = new("--url-column") { Description = "column holding the URL" };
    readonly Option<string?> _fixedDomain = new("--domain") { Description = "domain for records without one" };
    readonly Option<bool> _hostDomain = new("--domain-from-url-host") { Description = "use the URL host as domain for records without one" };
    readonly Option<bool> _deriveIds = new("--derive-ids") { Description = "id '<file>:<record>' for records without one" };

    public void AddTo(Command c) { foreach (var o in new Option[] { _preset, _text, _id, _domain, _url, _fixedDomain, _hostDomain, _deriveIds }) c.Options.Add(o); }

    public ColumnMapping Get(ParseResult p)
    {
        var m = ColumnMapping.Preset(p.GetValue(_preset)!);
        if (p.GetValue(_text) is { } t) m = m with { Text = t };
        if (p.GetValue(_id) is { } i) m = m with { Id = i };
        if (p.GetValue(_domain) is { } d) m = m with { Domain = d };
        if (p.GetValue(_url) is { } u) m = m with { Url = u };
        if (p.GetValue(_fixedDomain) is { } f) m = m with { FallbackDomain = f };
        if (p.GetValue(_hostDomain)) m = m with { DomainFromUrlHost = true };
        if (p.GetValue(_deriveIds)) m = m with { DeriveMissingId = true };
        return m;
    }
}
