using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using ResearchKit.Embeddings;
using ResearchKit.Packing;
using ResearchKit.Packing.Iclm;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>
/// <c>rk bench iclm</c>: time and peak memory of each ICLM step (embed, exact and HNSW kNN, semantic dedup, traversal,
/// the reference's sort/merge, lexical dedup) at several corpus sizes made from the bundled corpus (see
/// <see cref="BenchIclmCorpus"/>), HNSW recall against exact, and how each step scales between the sizes, next to the
/// N log N and N² ratios.
/// </summary>
static class BenchIclmCommand
{
    public static Command Create()
    {
        var docs = new Option<int[]>("--docs") { Description = "corpus sizes to measure", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [10_000, 100_000] };
        var embedder = new EmbedderOptions();
        var embedSample = new Option<int>("--embed-sample") { Description = "documents embedded per size to time the embedder (the rate projects to N)", DefaultValueFactory = _ => 500 };
        var k = new Option<int>("--k") { Description = "neighbours per document", DefaultValueFactory = _ => 50 };
        var exactFull = new Option<int>("--exact-full") { Description = "largest N for the full exact graph; above it exact kNN runs for --recall-queries sampled documents", DefaultValueFactory = _ => 20_000 };
        var recallQueries = new Option<int>("--recall-queries") { Description = "sampled documents for exact kNN and recall above --exact-full", DefaultValueFactory = _ => 1000 };
        var threshold = new Option<double>("--threshold") { Description = "semantic dedup cosine threshold", DefaultValueFactory = _ => 0.95 };
        var corpus = new Option<string>("--corpus") { Description = "the real corpus the documents are made from", DefaultValueFactory = _ => Path.Combine("data-samples", "sample.parquet") };
        var cache = new Option<string>("--cache") { Description = "where the paragraph embeddings are cached", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "rk-bench-iclm") };
        var seed = new Option<ulong>("--seed") { Description = "corpus sampling seed", DefaultValueFactory = _ => 1 };
        var command = new Command("iclm", "ICLM ordering: time and peak memory of embed, kNN (exact, HNSW), dedup and traversal at several N, HNSW recall, scaling")
            { docs };
        embedder.AddTo(command);
        foreach (var o in new Option[] { embedSample, k, exactFull, recallQueries, threshold, corpus, cache, seed }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var (spec, checkpoint) = embedder.Get(p);
            using var e = spec.Create(checkpoint);
            Run(p.GetValue(docs)!, e, p.GetValue(embedSample), p.GetValue(k), p.GetValue(exactFull), p.GetValue(recallQueries),
                p.GetValue(threshold), p.GetValue(corpus)!, p.GetValue(cache)!, p.GetValue(seed));
            return 0;
        });
        return command;
    }

    /// <summary>Notes when the HNSW index is built (its last build report), passing every report on.</summary>
    sealed class BuildTimer(IProgress<WorkProgress> inner, Action built) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value)
        {
            if (value.Stage == "knn hnsw build" && value.Done == value.Total) built();
            inner.Report(value);
        }
    }

    sealed record SizeResult(int N, List<PhaseMeasure> Phases, double EmbedRate, double ExactProjected, double HnswBuildSeconds, double Recall10, double RecallK,
                             int Removed, int Paths, double Adjacent, double RandomAdjacent, int ShortRows);

    static void Run(int[] sizes, ITextEmbedder embedder, int embedSample, int k, int exactFull, int recallQueries, double threshold,
                    string corpusPath, string cacheDir, ulong seed)
    {
        var (paragraphs, domains) = BenchIclmCorpus.ReadParagraphs(corpusPath);
        AnsiConsole.MarkupLineInterpolated($"{Environment.ProcessorCount} cores (a shared machine: times are noisy, compare ratios from one run), embedder {embedder.Name}, k {k}");
        AnsiConsole.MarkupLineInterpolated($"{paragraphs.Length:N0} real paragraphs (>= 100 chars) from {corpusPath}; larger N adds 2-3-paragraph same-domain variants with length-weighted mean vectors");
        if (!PhaseMeter.PerPhasePeaks) AnsiConsole.MarkupLine("peak RSS cannot be reset here: peaks are since process start");

        var cacheFile = Path.Combine(cacheDir, $"paragraphs-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(embedder.Name)))[..12]}.emb");
        var (paragraphVectors, paragraphMeasure) = PhaseMeter.Run("embed all real paragraphs", () =>
            ConsoleProgress.Run(progress => IclmOrderBuilder.Embed(paragraphs, embedder, cacheFile, progress)));
        AnsiConsole.MarkupLineInterpolated($"paragraph vectors: {cacheFile} ({paragraphMeasure.Seconds:F1} s{(paragraphMeasure.Seconds < 5 ? ", cached" : "")})");

        var results = new List<SizeResult>();
        foreach (var n in sizes)
        {
            var corpus = BenchIclmCorpus.Build(paragraphs, domains, n, seed);
            var vectors = corpus.Vectors(paragraphVectors, paragraphs);
            var phases = new List<PhaseMeasure>();
            T Measure<T>(string phase, Func<IProgress<WorkProgress>, T> work)
            {
                var (result, measure) = PhaseMeter.Run(phase, () => ConsoleProgress.Run(work));
                phases.Add(measure);
                return result;
            }

            var sampleTexts = corpus.Texts.Take(Math.Min(embedSample, n)).ToArray();
            embedder.Embed(corpus.Texts.Skip(sampleTexts.Length).Take(8).ToArray());   // warm-up (first-run allocations), untimed
            Measure($"embed {sampleTexts.Length:N0} docs", progress => embedder.Embed(sampleTexts, progress));
            double embedRate = sampleTexts.Length / phases[^1].Seconds;

            int[] queries;
            int[] exactIds;
            double exactProjected;
            if (n <= exactFull)
            {
                var exact = Measure("knn exact (all)", progress => ExactKnn.Build(vectors, k, progress: progress));
                queries = Enumerable.Range(0, n).ToArray();
                exactIds = exact.Ids;
                exactProjected = phases[^1].Seconds;
            }
            else
            {
                var pick = Enumerable.Range(0, n).ToArray();
                new SeededRandom(seed ^ 0x5EED).Shuffle(pick.AsSpan());
                queries = pick.Take(recallQueries).Order().ToArray();
                exactIds = Measure($"knn exact ({queries.Length:N0} queries)", progress => ExactKnn.Query(vectors, queries, k, progress: progress)).Ids;
                exactProjected = phases[^1].Seconds * n / queries.Length;
            }
            var hnswClock = System.Diagnostics.Stopwatch.StartNew();
            double buildSeconds = 0;
            var hnsw = Measure("knn hnsw (build + search)", progress => HnswKnn.Build(vectors, k, progress: new BuildTimer(progress, () => buildSeconds = hnswClock.Elapsed.TotalSeconds)));
            double recall10 = KnnRecall.Measure(hnsw, queries, exactIds, k, Math.Min(10, k));
            double recallK = KnnRecall.Measure(hnsw, queries, exactIds, k, k);
            var dedup = Measure("dedup semantic", _ => SemanticDedup.Run(hnsw, threshold));
            var paths = Measure("traversal (fewest neighbours)", progress => IclmTraversal.Run(hnsw, dedup.Removed, progress));
            Measure("traversal (reference sort/merge)", _ => ReferenceSortMerge.Run(hnsw, dedup.Removed));
            Measure("dedup lexical (over the order)", _ => LexicalDedup.Run(paths.Order, corpus.Texts));

            var adjacent = IclmOrderBuilder.AdjacentSimilarity(vectors.Normalized(), paths.Order, seed);
            var result = new SizeResult(n, phases, embedRate, exactProjected, buildSeconds, recall10, recallK, dedup.RemovedCount, paths.Paths,
                                        adjacent.Ordered, adjacent.Random, hnsw.ShortRows());
            results.Add(result);
            Print(result, k);
        }
        for (int i = 1; i < results.Count; i++) PrintScaling(results[i - 1], results[i], k, embedder.Dimension);
    }

    static void Print(SizeResult r, int k)
    {
        var table = new Table().Title($"N = {r.N:N0}").AddColumns("phase", "seconds", "cpu seconds", "peak RSS MB", "RSS before MB", "peak - before MB", "peak managed MB", "allocated MB");
        foreach (var p in r.Phases)
            table.AddRow(p.Phase, $"{p.Seconds:F2}", $"{p.CpuSeconds:F2}", $"{p.PeakRssMb:F0}", $"{p.RssBeforeMb:F0}", $"{p.PeakRssMb - p.RssBeforeMb:F0}", $"{p.PeakManagedMb:F0}", $"{p.AllocatedMb:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"  embed rate {r.EmbedRate:F1} docs/s -> {r.N / r.EmbedRate / 60:F1} min projected for all {r.N:N0}; exact kNN projected for all: {r.ExactProjected:F1} s");
        AnsiConsole.MarkupLineInterpolated($"  HNSW: index built in {r.HnswBuildSeconds:F1} s (one thread, in index order: deterministic), searched on all cores; recall@10 {r.Recall10:F4}, recall@{k} {r.RecallK:F4}; rows with fewer than {k} neighbours: {r.ShortRows:N0}");
        AnsiConsole.MarkupLineInterpolated($"  semantic dedup removed {r.Removed:N0}; traversal: {r.Paths:N0} paths (mean {(double)(r.N - r.Removed) / Math.Max(1, r.Paths):F1} docs); mean cosine of adjacent documents {r.Adjacent:F3} vs {r.RandomAdjacent:F3} in a random order");
    }

    static void PrintScaling(SizeResult small, SizeResult large, int k, int dimension)
    {
        double ratioN = (double)large.N / small.N;
        double nLogN = ratioN * Math.Log(large.N) / Math.Log(small.N);
        var table = new Table().Title($"scaling {small.N:N0} -> {large.N:N0} (N ratio {ratioN:F1}, N log N {nLogN:F1}, N² {ratioN * ratioN:F0})")
            .AddColumns("phase", "time ratio", "cpu time ratio", "cpu ratio / N log N", "peak RSS slope MB per 1k docs", "peak RSS at 1M docs GB (linear in N)");
        foreach (var (a, b) in small.Phases.Zip(large.Phases).Where(p => p.First.Phase == p.Second.Phase))
        {
            // A straight line through the two peaks (process baseline + per-document cost); not for the embed sample,
            // whose size does not grow with N.
            bool perDocument = !a.Phase.StartsWith("embed", StringComparison.Ordinal);
            double slope = (b.PeakRssMb - a.PeakRssMb) / (large.N - small.N);   // MB per document
            table.AddRow(a.Phase, $"{b.Seconds / a.Seconds:F1}", $"{b.CpuSeconds / a.CpuSeconds:F1}", $"{b.CpuSeconds / a.CpuSeconds / nLogN:F2}", perDocument ? $"{slope * 1000:F1}" : "",
                         perDocument ? $"{(b.PeakRssMb + slope * (1_000_000 - large.N)) / 1024:F1}" : "");
        }
        AnsiConsole.Write(table);
        // The structures of kNN + traversal at 1M, from their sizes (the kit keeps no other per-document state).
        double m = 1_000_000;
        double vectors = m * dimension * 4, hnswIndex = m * (dimension * 4 + 2 * 16 * 4 + 64), graph = m * k * 8, reverse = m * (k + 1) * 4, traversal = m * 17;
        AnsiConsole.MarkupLineInterpolated($"1M documents by structure: vectors {vectors / 1e9:F2} GB (+ a normalized copy), HNSW index ~{hnswIndex / 1e9:F2} GB, graph {graph / 1e9:F2} GB, reverse edges {reverse / 1e9:F2} GB, traversal state {traversal / 1e9:F3} GB: ~{(2 * vectors + hnswIndex + graph + reverse + traversal) / 1e9:F1} GB at the peak (HNSW search), within 24 GB");
        AnsiConsole.MarkupLineInterpolated($"HNSW kNN + traversal: time ratio {Seconds(large, p => p.Seconds) / Seconds(small, p => p.Seconds):F1}, cpu time ratio {Seconds(large, p => p.CpuSeconds) / Seconds(small, p => p.CpuSeconds):F1}, vs N log N {nLogN:F1}");
    }

    static double Seconds(SizeResult r, Func<PhaseMeasure, double> of) =>
        r.Phases.Where(p => p.Phase.StartsWith("knn hnsw", StringComparison.Ordinal) || p.Phase.StartsWith("traversal (fewest", StringComparison.Ordinal)).Sum(of);
}
