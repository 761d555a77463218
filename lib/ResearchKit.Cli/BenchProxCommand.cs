using System.CommandLine;
using System.Diagnostics;
using ResearchKit.Corpus;
using ResearchKit.Packing;
using ResearchKit.ProX;
using ResearchKit.Tokenization;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk bench prox</c>: ProX interpreter throughput (documents per second on one core, and on all cores)
/// with label-derived and random programs, in both dialects, against splitting the same documents into lines,
/// measured in the same run.</summary>
static class BenchProxCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--input")
        {
            Description = "corpus files (default: data-samples/sample.parquet and data-samples/prox-lines.parquet)",
            AllowMultipleArgumentsPerToken = true,
        };
        var seconds = new Option<double>("--seconds") { Description = "minimum time per measurement", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed") { Description = "seed of the random programs", DefaultValueFactory = _ => 20240601 };
        var tokenizer = new Option<string>("--tokenizer") { Description = "tokenizer that chunks the label programs", DefaultValueFactory = _ => "cl100k_base" };
        var cmd = new Command("prox", "ProX interpreter documents/s per core (label and random programs, both dialects) vs splitting into lines") { inputs, seconds, seed, tokenizer };
        cmd.SetAction(p =>
        {
            var files = p.GetValue(inputs) is { Length: > 0 } i ? i : ["data-samples/sample.parquet", "data-samples/prox-lines.parquet"];
            var docs = files.SelectMany(f => CorpusReader.Read(f)).ToArray();
            double mb = docs.Sum(d => (long)d.Text.Length) * 2 / (double)(1 << 20);
            double minSeconds = p.GetValue(seconds);
            int cores = Environment.ProcessorCount;
            var chunker = new ProxChunker(TextTokenizers.Create(p.GetValue(tokenizer)!));
            var writer = new LabelProgramWriter();
            var docPrograms = writer.WriteDocumentPrograms(docs);
            var chunkPrograms = writer.WriteChunkPrograms(docs.Select(d => new ChunkedDocument(d, chunker.Chunk(d.Text))).ToArray())
                                      .Select(ProxChunker.MergePrograms).ToArray();
            var random = new SeededRandom(p.GetValue(seed));
            var randomPrograms = docs.Select(d => RandomProgram(random, d.Text)).ToArray();
            AnsiConsole.MarkupLineInterpolated($"{docs.Length:N0} documents ({mb:F1} MB of UTF-16 text) from {string.Join(", ", files)}; {cores} cores");
            AnsiConsole.MarkupLineInterpolated($"label programs: {chunkPrograms.Sum(x => x.Split('\n').Length):N0} chunk-program lines; random programs: {randomPrograms.Sum(x => x.Split('\n').Length):N0} lines, seed {p.GetValue(seed)}");

            double split = Rate(docs.Length, minSeconds, () => { foreach (var d in docs) _ = d.Text.Split('\n'); });
            var table = new Table().AddColumns("work", "docs/s (1 thread)", $"docs/s ({cores} threads)", "docs/s/core", "time vs split");
            table.AddRow("split into lines (reference)", $"{split:N0}", "", "", "1.00x");
            var strict = new ProgramInterpreter(ProxOptions.Default);
            var reference = new ProgramInterpreter(ProxOptions.Reference);
            var rows = new (string Name, Action<int> Run)[]
            {
                ("strict, document level, label programs", k => strict.RunDocumentProgram(docs[k].Text, docPrograms[k])),
                ("strict, chunk level, label programs", k => strict.RunChunkProgram(docs[k].Text, chunkPrograms[k])),
                ("strict, chunk level, random programs", k => strict.RunChunkProgram(docs[k].Text, randomPrograms[k])),
                ("reference, document level, label programs", k => reference.RunDocumentProgram(docs[k].Text, docPrograms[k])),
                ("reference, chunk level, label programs", k => reference.RunChunkProgram(docs[k].Text, chunkPrograms[k])),
                ("reference, chunk level, random programs", k => reference.RunChunkProgram(docs[k].Text, randomPrograms[k])),
            };
            foreach (var (name, run) in rows)
            {
                double single = Rate(docs.Length, minSeconds, () => { for (int k = 0; k < docs.Length; k++) run(k); });
                double parallel = Rate(docs.Length, minSeconds, () => Parallel.For(0, docs.Length, run));
                table.AddRow(name, $"{single:N0}", $"{parallel:N0}", $"{parallel / cores:N0}", $"{split / single:F2}x");
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("docs/s (1 thread) is the per-core rate on an idle core; on a shared machine compare the ratio column, measured in the same run.");
            return 0;
        });
        return cmd;
    }

    /// <summary>1–8 lines: removals of random ranges (some past the end), normalizations of words of the document,
    /// keep/skip calls, and one malformed line in ten: a model's output, good and bad.</summary>
    static string RandomProgram(SeededRandom random, string text)
    {
        var lines = text.Split('\n');
        var words = text.Split((char[]?)null, 64, StringSplitOptions.RemoveEmptyEntries);
        int n = 1 + random.NextInt(8);
        var program = new List<string>(n);
        for (int i = 0; i < n; i++)
        {
            int a = random.NextInt(lines.Length + 3), b = a + random.NextInt(12);
            program.Add(random.NextInt(10) switch
            {
                < 5 => ProgramText.RemoveLines(a, b),
                < 7 when words.Length > 0 => ProgramText.Normalize(words[random.NextInt(words.Length)], random.NextInt(2) == 0 ? "" : "_"),
                7 => ProgramText.KeepChunk,
                8 => $"remove_lines({a}, {b}",
                _ => ProgramText.SkipChunk,
            });
        }
        return string.Join('\n', program);
    }

    /// <summary>Documents per second of <paramref name="run"/> (one pass over <paramref name="documents"/>), after a
    /// warm-up pass, repeated until <paramref name="minSeconds"/> have passed.</summary>
    static double Rate(int documents, double minSeconds, Action run)
    {
        run();
        int passes = 0;
        var clock = Stopwatch.StartNew();
        do { run(); passes++; } while (clock.Elapsed.TotalSeconds < minSeconds);
        return (double)documents * passes / clock.Elapsed.TotalSeconds;
    }
}
