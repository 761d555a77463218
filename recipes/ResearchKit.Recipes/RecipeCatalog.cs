using ResearchKit.Experiments;

namespace ResearchKit.Recipes;

/// <summary>
/// The named ablations that <c>rk ablate &lt;name&gt;</c> and the notebooks run. Each is registered as a factory of its
/// corpus path, so the same definition runs on the shipped sample or on a larger corpus (<c>--corpus</c>).
/// </summary>
public static class RecipeCatalog
{
    /// <summary>The shipped sample, relative to the repository root (rk's working directory).</summary>
    public const string DefaultCorpus = "data-samples/sample.parquet";

    static readonly List<Func<string, IAblation>> Factories =
    [
        MeCoRecipes.Cooldown, MeCoRecipes.Metadata, MeCoRecipes.Conditional,
        PackingRecipes.Strategies,
        DoReMiRecipes.Baselines, DoReMiRecipes.ProxySize, DoReMiRecipes.Objective, DoReMiRecipes.Iterated,
        ProXRecipes.Stages,
    ];

    public static IReadOnlyList<IAblation> All(string corpus = DefaultCorpus)
    {
        lock (Factories) return Factories.Select(f => f(corpus)).ToArray();
    }

    /// <summary>Adds an ablation factory (a user's own recipe); the ablation's name must be new.</summary>
    public static void Register(Func<string, IAblation> create)
    {
        var name = create(DefaultCorpus).Name;
        lock (Factories)
        {
            if (Factories.Any(f => f(DefaultCorpus).Name == name)) throw new ArgumentException($"an ablation named '{name}' is already registered");
            Factories.Add(create);
        }
    }

    public static IAblation Find(string name, string corpus = DefaultCorpus)
    {
        var all = All(corpus);
        return all.FirstOrDefault(a => a.Name == name)
            ?? throw new ArgumentException($"no ablation named '{name}' (known: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(a => a.Name)))})");
    }
}
