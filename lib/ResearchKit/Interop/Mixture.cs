using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ResearchKit.Interop;

/// <summary>
/// A data mixture for trainers that blend per-domain datasets: a weight per domain (DoReMi's average weights, or set
/// by hand) and the dataset path prefix of each domain. <see cref="BlendLine"/> is Megatron-LM's / NeMo's weighted
/// blend, "w1 prefix1 w2 prefix2 ...", for --data-path (or, saved to a file, --data-args-path); weights are
/// normalised to sum to 1 and domains sorted by name.
/// </summary>
public sealed record Mixture(IReadOnlyDictionary<string, double> Weights, IReadOnlyDictionary<string, string> Prefixes)
{
    /// <summary>Weights normalised to sum to 1, by domain name.</summary>
    public IReadOnlyList<(string Domain, double Weight)> Normalised
    {
        get
        {
            double sum = Weights.Values.Sum();
            return Weights.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value / sum)).ToList();
        }
    }

    public string BlendLine => string.Join(' ', Normalised.SelectMany(p => new[] { Number(p.Weight), Prefixes[p.Domain] }));

    /// <summary>{"weights": {domain: w}, "prefixes": {domain: prefix}, "data_path": ["w1", "prefix1", ...]} (the
    /// last is the blend as Megatron's per-split JSON lists it).</summary>
    public string ToJson() => new JsonObject
    {
        ["weights"] = new JsonObject(Normalised.Select(p => KeyValuePair.Create(p.Domain, (JsonNode?)p.Weight))),
        ["prefixes"] = new JsonObject(Normalised.Select(p => KeyValuePair.Create(p.Domain, (JsonNode?)Prefixes[p.Domain]))),
        ["data_path"] = new JsonArray(Normalised.SelectMany(p => new JsonNode?[] { Number(p.Weight), Prefixes[p.Domain] }).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    static string Number(double w) => w.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A mixture from weights and a prefix template in which "{domain}" stands for each domain's file-safe
    /// name (<see cref="FileSafe"/>), e.g. "/data/tokens_{domain}" for what <c>rk export tokens --by-domain</c> writes.</summary>
    /// <exception cref="ArgumentException">No domains, a negative or non-finite weight, all weights zero, or a template without {domain}.</exception>
    public static Mixture FromWeights(IReadOnlyDictionary<string, double> weights, string prefixTemplate)
    {
        if (weights.Count == 0) throw new ArgumentException("a mixture needs at least one domain weight");
        foreach (var (domain, w) in weights)
            if (!double.IsFinite(w) || w < 0) throw new ArgumentException($"domain '{domain}': weight {w} is not a finite non-negative number");
        if (weights.Values.Sum() <= 0) throw new ArgumentException("the domain weights sum to zero");
        if (!prefixTemplate.Contains("{domain}", StringComparison.Ordinal)) throw new ArgumentException($"prefix template '{prefixTemplate}' has no {{domain}}");
        return new Mixture(weights, weights.Keys.ToDictionary(d => d, d => prefixTemplate.Replace("{domain}", FileSafe(d), StringComparison.Ordinal)));
    }

    /// <summary>Reads domain weights: the kit's and the DoReMi reference's config layout
    /// (<c>{"train_domain_weights": {"domain": weight, ...}}</c>, what a Group-DRO run writes as domain_weights.json),
    /// or a plain <c>{"domain": weight, ...}</c> object.</summary>
    public static IReadOnlyDictionary<string, double> ReadWeights(string path)
    {
        try
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) as System.Text.Json.Nodes.JsonObject
                       ?? throw new DataFormatException(path, null, null, "expected a JSON object of domain weights");
            var map = node["train_domain_weights"] as System.Text.Json.Nodes.JsonObject ?? node;
            return map.Deserialize<Dictionary<string, double>>() ?? throw new DataFormatException(path, null, null, "expected a JSON object of domain weights");
        }
        catch (JsonException e) { throw new DataFormatException(path, null, null, $"expected a JSON object of domain weights: {e.Message}", e); }
    }

    /// <summary>A domain name as a file-name part: characters other than letters, digits, '.', '-' and '_' become '_'.</summary>
    public static string FileSafe(string domain) => Regex.Replace(domain, "[^A-Za-z0-9._-]", "_");
}
