using System.Text.Json.Serialization;
using ResearchKit.Filters;
using ResearchKit.Pipeline;
using ResearchKit.Tokenization;

namespace ResearchKit.ProX;

/// <summary>
/// What a refinement runs over a corpus, as data (hashed into stage keys): rule filters first, in order
/// (<see cref="RuleFilters"/> names), then ProX-D and/or ProX-C with programs from refining models or, with
/// <see cref="GroundTruth"/>, from the documents' labels (<see cref="LabelProgramWriter"/>: the oracle a refiner is
/// trained toward; also how the clean held-out set is made), then an optional cut of every kept document.
/// </summary>
public sealed record RefineSpec
{
    /// <summary>Rule filters run first, in this order.</summary>
    public IReadOnlyList<string> Rules { get; init; } = [];
    /// <summary>ProX stages after the rules; null = none.</summary>
    public ProxStages? Prox { get; init; }
    /// <summary>Programs from the labels instead of models.</summary>
    public bool GroundTruth { get; init; }
    /// <summary>How programs are read and when a refined document is dropped (strict dialect by default).</summary>
    public ProxOptions Options { get; init; } = ProxOptions.Default;
    /// <summary>Documents per call to a program writer.</summary>
    public int DocumentsPerBatch { get; init; } = 64;
    /// <summary>Cut each kept document to its first this-many characters, last; null = no cut.</summary>
    public int? MaxChars { get; init; }

    public static RefineSpec None { get; } = new();
    public static RefineSpec RulesOnly(params string[] rules) => new() { Rules = rules };
    public static RefineSpec ProxD { get; } = new() { Prox = ProxStages.Document };
    public static RefineSpec ProxDC { get; } = new() { Prox = ProxStages.DocumentAndChunk };

    /// <summary>The clean held-out text: labelled spam dropped, labelled boilerplate lines removed, by the labels'
    /// own programs (so the interpreter's rules apply as to any program), then cut to <paramref name="maxChars"/>.</summary>
    public static RefineSpec Clean(int? maxChars = null) => new() { Prox = ProxStages.DocumentAndChunk, GroundTruth = true, MaxChars = maxChars };

    [JsonIgnore] public bool IsNone => Rules.Count == 0 && Prox is null && MaxChars is null;
    /// <summary>A refining model writes the document-level programs.</summary>
    [JsonIgnore] public bool NeedsDocumentModel => !GroundTruth && Prox is { } p && p.HasFlag(ProxStages.Document);
    /// <summary>A refining model writes the chunk-level programs.</summary>
    [JsonIgnore] public bool NeedsChunkModel => !GroundTruth && Prox is { } p && p.HasFlag(ProxStages.Chunk);

    public string Describe()
    {
        var parts = new List<string>(Rules);
        if (Prox is { } p) parts.Add((p == ProxStages.DocumentAndChunk ? "ProX-D+C" : p == ProxStages.Document ? "ProX-D" : "ProX-C") + (GroundTruth ? " (label programs)" : ""));
        if (MaxChars is { } m) parts.Add($"first {m:N0} characters");
        return parts.Count == 0 ? "no refinement" : string.Join(" → ", parts);
    }

    /// <summary>The pipeline: rule steps by name, then "prox-d" and "prox-c" steps (one per writer, so each has its own
    /// statistics), then "truncate".</summary>
    /// <param name="documentWriter">Writes ProX-D programs; required when <see cref="NeedsDocumentModel"/>.</param>
    /// <param name="chunkWriter">Writes ProX-C programs; required when <see cref="NeedsChunkModel"/>.</param>
    /// <param name="chunker">Cuts documents for <paramref name="chunkWriter"/>: the model's own
    /// (<see cref="Refining.RefiningModelWriter.CreateChunker"/>).</param>
    /// <param name="observe">Receives each document's ProX refinement, per step, in input order.</param>
    public DocumentPipeline Build(IProgramWriter? documentWriter = null, IProgramWriter? chunkWriter = null, ProxChunker? chunker = null,
                                  Action<ProxRefinement>? observe = null)
    {
        var steps = Rules.Select(RuleFilters.Create).ToList();
        if (Prox is { } prox)
        {
            if (GroundTruth)
            {
                documentWriter = chunkWriter = new LabelProgramWriter();
                // Label programs are clipped to whatever chunks there are: any chunking gives the same document program.
                chunker = new ProxChunker(ByteTokenizer.Instance);
            }
            if (prox.HasFlag(ProxStages.Document))
                steps.Add(new ProxRefineTransform(documentWriter ?? throw new ArgumentException("ProX-D needs a document-level program writer", nameof(documentWriter)),
                                                  ProxStages.Document, options: Options, name: "prox-d", batchSize: DocumentsPerBatch, observe: observe));
            if (prox.HasFlag(ProxStages.Chunk))
                steps.Add(new ProxRefineTransform(chunkWriter ?? throw new ArgumentException("ProX-C needs a chunk-level program writer", nameof(chunkWriter)),
                                                  ProxStages.Chunk, chunker ?? throw new ArgumentException("ProX-C needs the chunk writer's chunker", nameof(chunker)),
                                                  Options, "prox-c", DocumentsPerBatch, observe));
        }
        if (MaxChars is { } max) steps.Add(new TruncateTransform(max));
        return new DocumentPipeline(steps);
    }
}
