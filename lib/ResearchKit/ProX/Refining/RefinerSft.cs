using ResearchKit.Models;
using ResearchKit.Packing;
using ResearchKit.Tokenization;
using ResearchKit.Training;

namespace ResearchKit.ProX.Refining;

/// <summary>One supervised pair: the user message exactly as the writer will send it (document level: the raw
/// document; chunk level: <see cref="ProxPrompts.ChunkUserMessage(ProxChunk)"/> of the chunk) and the program to learn.</summary>
public sealed record SftExample(string Input, string Program);

/// <param name="MaxProgramTokens">Program tokens plus the end token that an example may have; also the writer's max
/// new tokens. The prompt gets the rest of the context: <c>Context - MaxProgramTokens - 1</c> tokens.</param>
/// <param name="Separator">Between the input and the program (<see cref="PlainRefiningPrompt"/>).</param>
/// <param name="MaxDatasetTokens">Cap on the laid-out dataset; past it whole epochs repeat in the same order.</param>
public sealed record SftOptions(int MaxProgramTokens = 32, string Separator = PlainRefiningPrompt.DefaultSeparator, long MaxDatasetTokens = 64_000_000);

/// <param name="Examples">Examples that fit and were laid out.</param>
/// <param name="SkippedTooLong">Examples whose program (+ end token) exceeds the budget: left out.</param>
/// <param name="PromptsTruncated">Examples whose input was cut to the prompt budget.</param>
/// <param name="Windows">Training windows laid out (one example each).</param>
/// <param name="Epochs">Shuffled passes over the examples laid out (the trainer repeats them past the end).</param>
/// <param name="ProgramTargets">Trained targets per epoch: program tokens and their end tokens.</param>
/// <param name="PaddingTokens">Padding tokens per epoch filling the windows.</param>
public sealed record SftDatasetInfo(int Examples, int SkippedTooLong, int PromptsTruncated, int Windows, int Epochs, long ProgramTargets, long PaddingTokens);

/// <summary>The fine-tuned model, a writer that uses it with the prompt it was trained on, the training record and
/// the dataset's counts.</summary>
public sealed record SftResult(Gpt Model, RefiningModelWriter Writer, TrainResult Training, SftDatasetInfo Data);

/// <summary>
/// Supervised fine-tuning of the kit's GPT as a refining model on (input → program) pairs. Each example is
/// <c>[prompt][program][EOS]</c> with the prompt as the loss-masked prefix, and gets a training window of its own:
/// it is followed by a padding document that fills the window exactly, so no example is ever split across windows
/// (a continuation would lose its prompt), and the trainer's document mask keeps the example from seeing the padding.
/// The padding document is EOS tokens (a masked prefix, then one EOS as body), so its only trained targets are
/// "EOS follows EOS", which generation never reaches (it stops at the first EOS). Windows are laid out in seeded
/// shuffled epochs and read in order (<c>ConcatPacking(Shuffle: false)</c>): the packer's own shuffle would separate
/// examples from their padding.
/// </summary>
public static class RefinerSft
{
    const string ExampleDomain = "example", PaddingDomain = "padding";

    /// <summary>Trains <paramref name="config"/>'s model from scratch on the examples (its data settings are replaced:
    /// document mask on, prefixes on, no domain weights, dataset order) and returns it with its writer.</summary>
    public static SftResult Train(IReadOnlyList<SftExample> examples, TextTokenizer tokenizer, TrainConfig config, SftOptions? options = null,
                                  IProgress<WorkProgress>? progress = null, CancellationToken cancel = default)
    {
        options ??= new SftOptions();
        if (config.Objective is not NextTokenObjective || config.Phases.Count > 0)
            throw new ArgumentException("refiner SFT is one phase of the plain next-token loss: Objective must be next-token and Phases empty", nameof(config));
        var prompt = Prompt(tokenizer, config.Model, options);
        long windows = (long)config.Steps * config.BatchSize * config.GradAccumulation;
        var (data, info) = BuildDataset(examples, tokenizer, prompt, config.Model.Context, options.MaxProgramTokens, windows, (ulong)config.Seed, options.MaxDatasetTokens);
        var sft = config with { Data = new DataConfig { Packing = new ConcatPacking(Shuffle: false) { DocumentMask = true }, Prefixes = true } };
        var training = Trainer.Run(sft, data, progress, cancel: cancel);
        return new SftResult(training.Model, Writer(training.Model, tokenizer, options), training, info);
    }

    /// <summary>The writer for a GPT trained by <see cref="Train"/> with these options (e.g. after loading it again);
    /// its <see cref="RefiningModelWriter.CreateChunker"/> is <see cref="Chunker"/>.</summary>
    public static RefiningModelWriter Writer(Gpt model, TextTokenizer tokenizer, SftOptions? options = null, int batchSize = 8, string name = "gpt-refiner")
    {
        options ??= new SftOptions();
        var chunker = Chunker(tokenizer, model.Config, options);
        return new RefiningModelWriter(new GptCausalLm(model), tokenizer, Prompt(tokenizer, model.Config, options), [tokenizer.EndOfText],
                                       new RefiningWriterOptions(options.MaxProgramTokens, batchSize), name, chunker.TokensAddedPerLine, chunker.MaxTokens);
    }

    /// <summary>How a kit refining model's chunks are cut: they fill its prompt. Numbered lines are counted in the
    /// model's tokens plus one for the newline that joins them (exact for the byte tokenizer), up to what the prompt
    /// holds beside the separator and the "[doc]" wrapper. Chunk-level examples must be cut the same way.</summary>
    public static ProxChunker Chunker(TextTokenizer tokenizer, GptConfig model, SftOptions? options = null)
    {
        options ??= new SftOptions();
        var prompt = Prompt(tokenizer, model, options);
        int budget = prompt.MaxTokens - tokenizer.Encode(options.Separator).Length - tokenizer.Encode(ProxPrompts.ChunkUserMessage("")).Length;
        if (budget < 1)
            throw new ArgumentException($"a context of {model.Context} with {options.MaxProgramTokens} program tokens leaves no room for a chunk in the prompt", nameof(model));
        return new ProxChunker(tokenizer, budget, tokensAddedPerLine: 1);
    }

    /// <summary>The prompt budget leaves MaxProgramTokens, plus one spare position, of the context: prompt + program +
    /// EOS then fits a window with room for at least two padding tokens, and generation never meets the context.</summary>
    static PlainRefiningPrompt Prompt(TextTokenizer tokenizer, GptConfig model, SftOptions options)
    {
        if (options.MaxProgramTokens < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxProgramTokens must be at least 1");
        return new PlainRefiningPrompt(tokenizer, model.Context - options.MaxProgramTokens - 1, options.Separator);
    }

    /// <summary>The token dataset: <paramref name="windows"/> windows of <paramref name="context"/> + 1 tokens, each one
    /// example then its padding document, in seeded shuffled epochs (fewer when <paramref name="maxTokens"/> caps them).</summary>
    public static (InMemoryTokenDataset Data, SftDatasetInfo Info) BuildDataset(IReadOnlyList<SftExample> examples, TextTokenizer tokenizer, IRefiningPrompt prompt,
        int context, int maxProgramTokens, long windows, ulong seed, long maxTokens = 64_000_000)
    {
        var encoded = new List<(int[] Prompt, int[] Program)>(examples.Count);
        int skipped = 0, truncated = 0;
        foreach (var example in examples)
        {
            var p = prompt.Encode(example.Input);
            var g = tokenizer.Encode(example.Program);
            // One position spare: the padding document needs two tokens (a body token and its EOS).
            if (g.Length + 1 > maxProgramTokens || p.Ids.Length + g.Length + 1 > context - 1) { skipped++; continue; }
            truncated += p.Truncated ? 1 : 0;
            encoded.Add((p.Ids, g));
        }
        if (encoded.Count == 0)
            throw new ArgumentException($"none of the {examples.Count} examples fits: programs must have at most {maxProgramTokens - 1} tokens and prompt + program + EOS at most {context - 1}", nameof(examples));

        int window = context + 1;
        long perEpoch = (long)encoded.Count * window;
        int epochs = (int)Math.Max(1, Math.Min((windows + encoded.Count - 1) / encoded.Count, maxTokens / perEpoch));
        int eos = tokenizer.EndOfText;
        var data = new InMemoryTokenDataset([ExampleDomain, PaddingDomain], tokenizer.VocabSize, eos);
        long targets = 0, padding = 0;
        var order = Enumerable.Range(0, encoded.Count).ToArray();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            new SeededRandom(SeededRandom.Derive(seed, (ulong)epoch)).Shuffle(order.AsSpan());
            foreach (var i in order)
            {
                var (p, g) = encoded[i];
                data.Add(ExampleDomain, g, p);
                int rest = window - (p.Length + g.Length + 1);
                data.Add(PaddingDomain, [eos], Enumerable.Repeat(eos, rest - 2).ToArray());
                targets += g.Length + 1;
                padding += rest;
            }
        }
        return (data, new SftDatasetInfo(encoded.Count, skipped, truncated, epochs * encoded.Count, epochs, targets / epochs, padding / epochs));
    }
}
