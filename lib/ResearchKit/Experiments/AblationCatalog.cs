namespace ResearchKit.Experiments;

/// <summary>The named ablations that <c>rk ablate &lt;name&gt;</c> and notebooks can run.</summary>
public static class AblationCatalog
{
    static readonly List<IAblation> Registered = [.. MeCo.MeCoAblations.All()];

    public static IReadOnlyList<IAblation> All => Registered;

    /// <summary>Adds an ablation; its name must be new.</summary>
    public static void Register(IAblation ablation)
    {
        lock (Registered)
        {
            if (Registered.Any(a => a.Name == ablation.Name)) throw new ArgumentException($"an ablation named '{ablation.Name}' is already registered");
            Registered.Add(ablation);
        }
    }

    public static IAblation Find(string name) =>
        Registered.FirstOrDefault(a => a.Name == name)
        ?? throw new ArgumentException($"no ablation named '{name}' (known: {(Registered.Count == 0 ? "none" : string.Join(", ", Registered.Select(a => a.Name)))})");
}
