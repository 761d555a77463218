using System.Text.Json;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.DoReMi;

/// <summary>Where iterated DoReMi stopped: the L1 change of each round's weights from the previous round's (round 1 has
/// none) and the first round whose change fell below the tolerance (the last round when none did).</summary>
public sealed record IteratedRounds(IReadOnlyList<double[]> Weights, IReadOnlyList<double?> L1Change, int SelectedRound, bool Converged, double Tolerance)
{
    public const string FileName = "rounds.json";

    /// <param name="rounds">Each round's weights (normalised), round 1 first.</param>
    public static IteratedRounds Select(IReadOnlyList<double[]> rounds, double tolerance)
    {
        if (rounds.Count == 0) throw new ArgumentException("no rounds", nameof(rounds));
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "the tolerance is a non-negative L1 distance");
        var changes = new List<double?> { null };
        int selected = rounds.Count;
        bool converged = false;
        for (int r = 1; r < rounds.Count; r++)
        {
            double l1 = rounds[r].Zip(rounds[r - 1], (a, b) => Math.Abs(a - b)).Sum();
            changes.Add(l1);
            if (!converged && l1 < tolerance) { selected = r + 1; converged = true; }
        }
        return new IteratedRounds(rounds, changes, selected, converged, tolerance);
    }
}

/// <summary>
/// Iterated DoReMi's output (the DoReMi paper: round k's reference model trains on round k−1's weights). Stage graphs are
/// static, so the rounds are a chain of stages up to the maximum, all computed; this stage picks the first round whose
/// weights moved less than <paramref name="tolerance"/> (L1) from the previous round's, or the last round, and records
/// every round's weights and change in <see cref="IteratedRounds.FileName"/>. Rounds after the selected one serve as a
/// check that the weights stayed put.
/// </summary>
public sealed class IteratedWeightsStage(Stage<TokenDatasetArtifact> tokens, IReadOnlyList<Stage<DomainWeightsArtifact>> rounds, double tolerance)
    : WeightsStage(tokens)
{
    public IReadOnlyList<Stage<DomainWeightsArtifact>> Rounds => rounds;
    public override string Name => "weights-iterated";
    public override object KeyConfig => new { Tolerance = tolerance };

    public override IReadOnlyDictionary<string, IStage> Inputs
    {
        get
        {
            var inputs = new Dictionary<string, IStage> { ["tokens"] = Tokens };
            for (int r = 0; r < rounds.Count; r++) inputs[$"round{r + 1}"] = rounds[r];
            return inputs;
        }
    }

    public override string Describe() => $"iterated DoReMi: first of {rounds.Count} rounds whose weights move < {tolerance} (L1)";

    public override void Run(StageContext context)
    {
        var domains = context.Input(Tokens).Dataset.Domains;
        var selection = IteratedRounds.Select(rounds.Select(r => Normalise(context.Input(r).Read(domains))).ToList(), tolerance);
        AtomicFile.WriteAllText(context.PathOf(IteratedRounds.FileName), JsonSerializer.Serialize(selection, KitJson.Files));
        Write(context, domains, selection.Weights[selection.SelectedRound - 1]);
        context.Stats["selected_round"] = selection.SelectedRound;
    }

    static double[] Normalise(double[] w) => w.Select(x => x / w.Sum()).ToArray();

    /// <summary>The round record beside an artifact of this stage.</summary>
    public static IteratedRounds ReadRounds(DomainWeightsArtifact artifact)
    {
        var path = Path.Combine(Path.GetDirectoryName(artifact.Path)!, IteratedRounds.FileName);
        return JsonSerializer.Deserialize<IteratedRounds>(File.ReadAllText(path), KitJson.Files)
            ?? throw new DataFormatException(path, null, null, "empty round record");
    }
}
