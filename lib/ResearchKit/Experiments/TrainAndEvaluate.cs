using ResearchKit.Pipeline;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.Experiments;

/// <summary>
/// The standard arm every method builds on, as stages: read and split the corpus, optionally refine the training
/// documents (ProX, rule filters), tokenize (optionally with a loss-masked prefix: MeCo), optionally order the
/// documents (ICLM, clusters), pack and train (optionally with domain weights and a reference model: DoReMi), and
/// evaluate on the held-out side with the attention setting the model trained with. A method sets the hooks it
/// needs; stages that two arms share (same config, same inputs) are computed once.
/// </summary>
public sealed record TrainAndEvaluate
{
    public required DataSpec Data { get; init; }
    /// <summary><see cref="TextTokenizers"/> name; its vocabulary must fit <c>Train.Model.VocabSize</c>.</summary>
    public string Tokenizer { get; init; } = "bytes";
    public required TrainConfig Train { get; init; }
    public EvalSpec Eval { get; init; } = new();
    /// <summary>A loss-masked prefix for each training document (MeCo metadata); null = none.</summary>
    public PrefixSpec? Prefix { get; init; }
    /// <summary>A document transform applied to the training documents (ProX refinement, rule filters).</summary>
    public Func<Stage<CorpusArtifact>, Stage<CorpusArtifact>>? Refine { get; init; }
    /// <summary>A transform applied to the validation documents (e.g. keep only clean text for a data-quality comparison).</summary>
    public Func<Stage<CorpusArtifact>, Stage<CorpusArtifact>>? RefineValidation { get; init; }
    /// <summary>A document order over the training tokens (ICLM traversal, clusters), given the corpus and its tokens.</summary>
    public Func<Stage<CorpusArtifact>, Stage<TokenDatasetArtifact>, Stage<DocumentOrderArtifact>>? Order { get; init; }
    /// <summary>Domain weights to sample training windows by (DoReMi's output).</summary>
    public Stage<DomainWeightsArtifact>? Weights { get; init; }
    /// <summary>A frozen reference model for the objective (DoReMi's proxy).</summary>
    public Stage<CheckpointArtifact>? Reference { get; init; }

    /// <summary>The stages of one arm.</summary>
    public sealed record Stages(
        Stage<CorpusArtifact> TrainCorpus, Stage<CorpusArtifact> ValidationCorpus,
        Stage<TokenDatasetArtifact> TrainTokens, Stage<TokenDatasetArtifact> ValidationTokens,
        Stage<DocumentOrderArtifact>? Order, TrainStage Model, EvaluateStage Evaluation);

    public Stages Build()
    {
        Stage<CorpusArtifact> train = new CorpusStage(Data, CorpusPart.Train);
        if (Refine is not null) train = Refine(train);
        Stage<CorpusArtifact> validation = new CorpusStage(Data, CorpusPart.Validation, Eval.Documents, Eval.MaxChars);
        if (RefineValidation is not null) validation = RefineValidation(validation);
        var trainTokens = new TokenizeStage(train, Tokenizer, Prefix);
        var validationTokens = new TokenizeStage(validation, Tokenizer);
        var order = Order?.Invoke(train, trainTokens);
        var model = new TrainStage(trainTokens, Train, order, Weights, Reference);
        var evaluation = new EvaluateStage(model, validationTokens, Eval, Train.Data.Packing.DocumentMask, Train.Data.DocumentStart, Train.Device);
        return new Stages(train, validation, trainTokens, validationTokens, order, model, evaluation);
    }
}
