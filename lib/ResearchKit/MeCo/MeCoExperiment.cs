using System.Diagnostics;
using Microsoft.Data.Analysis;
using ResearchKit.Corpus;
using ResearchKit.Evaluation;
using ResearchKit.Experiments;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.MeCo;

/// <summary>
/// One MeCo arm end to end: read and split the corpus, tokenize with metadata prefixes, train (with the cooldown
/// switch), then measure plain validation loss per domain and the conditional-inference matrix.
/// </summary>
public static class MeCoExperiment
{
    /// <summary>The <see cref="Ablation{TConfig}.Work"/> of the MeCo ablations.</summary>
    public static ArmResult Run(MeCoConfig config, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        var tokenizer = TextTokenizers.Create(config.Tokenizer);
        var corpus = CorpusReader.Read(config.Corpus);
        var documents = config.MaxDocuments is { } n ? CorpusSample.Take(corpus, n, config.SampleSeed) : corpus.ToList();
        var split = config.SplitSeed == config.SampleSeed
            ? throw new ArgumentException($"SplitSeed and SampleSeed are both {config.SplitSeed}; equal seeds correlate the sample with the split")
            : new CorpusSplit(config.ValidationFraction, config.SplitSeed);
        return Run(config, split.Train(documents).ToList(), split.Validation(documents).ToList(), tokenizer, progress, cancellationToken);
    }

    public static ArmResult Run(MeCoConfig config, IReadOnlyList<Document> train, IReadOnlyList<Document> validation, TextTokenizer tokenizer,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (train.Count == 0 || validation.Count == 0)
            throw new ArgumentException($"corpus '{config.Corpus}' gives {train.Count} training and {validation.Count} validation documents; both must be non-empty");
        var trainData = MetadataTokens.Build(train, tokenizer, config.Metadata, progress, cancellationToken);
        long prefixTokens = 0, allTokens = 0;
        for (int i = 0; i < trainData.DocumentCount; i++)
        {
            prefixTokens += trainData.Prefix(i).Length;
            allTokens += trainData.Prefix(i).Length + trainData.Body(i).Length + 1;
        }

        var clock = Stopwatch.StartNew();
        var run = Trainer.Run(config.ResolvedTrain(), trainData, progress, cancel: cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        double trainSeconds = clock.Elapsed.TotalSeconds;
        using var model = run.Model;

        var steps = run.Metrics;
        int tail = Math.Max(1, steps.Count / 20);
        var metrics = new Dictionary<string, double>
        {
            ["train_loss"] = steps.TakeLast(tail).Average(m => m.Loss),
            ["tokens"] = steps.Count > 0 ? steps[^1].Tokens : 0,
            ["parameters"] = config.Train.Model.ParameterCount,
            ["prefix_token_share"] = allTokens == 0 ? 0 : (double)prefixTokens / allTokens,
            ["train_seconds"] = trainSeconds,
        };
        var curves = steps.SelectMany(m => new[]
        {
            new CurvePoint("train_loss", m.Step, m.Loss),
            new CurvePoint("lr", m.Step, m.Lr),
            new CurvePoint("phase", m.Step, m.Phase),
        }).ToList();

        if (config.EvalMaxChars is { } chars) validation = validation.Select(d => Truncate(d, chars)).ToList();
        var evalDocuments = config.EvalDocuments is { } e ? CorpusSample.Take(validation, e, config.SampleSeed) : validation;
        var validationData = MetadataTokens.Build(evalDocuments, tokenizer, MetadataSpec.None);
        var eval = Evaluator.Evaluate(model, validationData, documentMask: true, prefixes: false, batchSize: config.EvalBatchSize);
        metrics["val_loss"] = eval.Loss;
        var tables = new Dictionary<string, DataFrame> { ["domain_loss"] = eval.ToDataFrame() };

        if (config.Conditional)
        {
            var probed = config.ConditionalDocuments is { } k ? CorpusSample.Take(validation, k, config.SampleSeed) : validation;
            var matrix = ConditionalInference.Evaluate(model, tokenizer, probed, ConditionalInference.Matrix(train, config.ProbeMetadata, config.UserPrefixes),
                config.EvalBatchSize, progress, cancellationToken);
            tables["conditional_loss"] = matrix;
            foreach (var (name, value) in Summarize(matrix)) metrics[name] = value;
        }
        return new ArmResult(metrics) { Curves = curves, Tables = tables };
    }

    static Document Truncate(Document d, int chars)
    {
        if (d.Text.Length <= chars) return d;
        int cut = char.IsHighSurrogate(d.Text[chars - 1]) ? chars - 1 : chars; // never split a surrogate pair
        return d with { Text = d.Text[..cut] };
    }

    /// <summary>
    /// Scalar summaries of a conditional-inference table, all token-weighted over domains so they compare:
    /// <c>cond_none</c>, <c>cond_own</c>, <c>cond_own_gain</c> = none − own, and <c>cond_other</c>: each domain's mean
    /// loss under the other domains' metadata (<c>as:&lt;d&gt;</c>, d ≠ its own domain), weighted by the domain's scored
    /// tokens, so <c>cond_other − cond_none</c> is the cost of wrong metadata.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Summarize(DataFrame matrix)
    {
        var rows = Enumerable.Range(0, (int)matrix.Rows.Count)
            .Select(r => (Domain: (string)matrix["domain"][r], Condition: (string)matrix["condition"][r],
                          Loss: (double)matrix["loss"][r]!, Tokens: (long)matrix["tokens"][r]!)).ToList();
        var result = new Dictionary<string, double>();
        double? All(string condition) => rows.Where(r => r.Domain == "all" && r.Condition == condition).Select(r => (double?)r.Loss).FirstOrDefault();
        if (All("none") is { } none) result["cond_none"] = none;
        if (All("own") is { } own) result["cond_own"] = own;
        if (result.ContainsKey("cond_none") && result.ContainsKey("cond_own")) result["cond_own_gain"] = result["cond_none"] - result["cond_own"];
        var other = rows.Where(r => r.Domain != "all" && r.Condition.StartsWith("as:", StringComparison.Ordinal) && r.Condition != "as:" + r.Domain)
            .GroupBy(r => r.Domain).Select(g => (Loss: g.Average(r => r.Loss), Tokens: g.First().Tokens)).ToList();
        if (other.Count > 0) result["cond_other"] = other.Sum(o => o.Loss * o.Tokens) / other.Sum(o => (double)o.Tokens);
        return result;
    }
}
