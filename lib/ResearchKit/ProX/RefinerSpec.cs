using System.Text.Json.Serialization;
using ResearchKit.ProX.Refining;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.ProX;

/// <summary>
/// A refining model the kit trains itself: the kit's GPT fine-tuned (<see cref="RefinerSft"/>) on the ground-truth
/// programs of labelled documents (<see cref="RefinerExamples"/>), at one level: <see cref="ProxStages.Document"/>
/// (mail ham → <c>keep_doc()</c>, spam → <c>drop_doc()</c>) or <see cref="ProxStages.Chunk"/> (a documentation page's
/// chunk → <c>remove_lines</c> over its boilerplate, or <c>keep_chunk()</c>).
/// </summary>
public sealed record RefinerSpec
{
    public required ProxStages Level { get; init; }
    /// <summary><see cref="TextTokenizers"/> name; its vocabulary must fit <c>Train.Model.VocabSize</c>.</summary>
    public string Tokenizer { get; init; } = "bytes";
    /// <summary>The model, steps and optimizer; data settings are SFT's own (one example per window).</summary>
    public required TrainConfig Train { get; init; }
    public SftOptions Sft { get; init; } = new();
    public RefinerExampleOptions Examples { get; init; } = new();
    /// <summary>Prompts decoded together when the model writes programs.</summary>
    public int GenerationBatch { get; init; } = 16;

    /// <summary>"doc-refiner" / "chunk-refiner": names the writer in statistics.</summary>
    [JsonIgnore] public string Name => Level switch
    {
        ProxStages.Document => "doc-refiner",
        ProxStages.Chunk => "chunk-refiner",
        _ => throw new ArgumentException($"a refining model works at one level, Document or Chunk, not {Level}"),
    };

    /// <summary>The examples from labelled documents for this level, chunked as this model will chunk.</summary>
    public IReadOnlyList<SftExample> BuildExamples(IEnumerable<Corpus.Document> documents) => Level switch
    {
        ProxStages.Document => RefinerExamples.Documents(documents, Examples),
        ProxStages.Chunk => RefinerExamples.Chunks(documents, RefinerSft.Chunker(TextTokenizers.Create(Tokenizer), Train.Model, Sft), Examples),
        _ => throw new ArgumentException($"a refining model works at one level, Document or Chunk, not {Level}"),
    };
}
