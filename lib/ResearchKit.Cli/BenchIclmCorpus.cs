using ResearchKit.Corpus;
using ResearchKit.Embeddings;
using ResearchKit.Packing;

namespace ResearchKit.Cli;

/// <summary>
/// The documents of <c>rk bench iclm</c>, made from the bundled real corpus: its paragraphs (blank-line separated, at
/// least 100 characters, in file order) are the base units. N up to their number takes a seeded sample of real
/// paragraphs. Beyond it, every real paragraph is used once and each further document is a synthetic variant: 2 or 3
/// paragraphs of one domain drawn with a seed and joined by a blank line, so documents overlap in content and
/// cluster by domain as a web crawl does.
/// <para>Vectors: real paragraphs get their own embedding; a variant gets the length-weighted mean of its paragraphs'
/// embeddings, normalized (what mean pooling gives without context across paragraph borders). That lets kNN and
/// traversal run on 100k+ realistic vectors while the model embeds only the real paragraphs (once, cached).</para>
/// </summary>
sealed class BenchIclmCorpus
{
    public required string[] Texts { get; init; }
    /// <summary>Paragraph indices each document is made of.</summary>
    public required int[][] Parts { get; init; }

    public static (string[] Paragraphs, string[] Domains) ReadParagraphs(string samplePath)
    {
        var paragraphs = new List<string>();
        var domains = new List<string>();
        foreach (var doc in CorpusReader.Read(samplePath))
            foreach (var p in doc.Text.Split("\n\n").Select(p => p.Trim()).Where(p => p.Length >= 100))
            {
                paragraphs.Add(p);
                domains.Add(doc.Domain);
            }
        return (paragraphs.ToArray(), domains.ToArray());
    }

    public static BenchIclmCorpus Build(string[] paragraphs, string[] domains, int n, ulong seed)
    {
        int p = paragraphs.Length;
        var rng = new SeededRandom(seed);
        var parts = new int[n][];
        if (n <= p)
        {
            var pick = Enumerable.Range(0, p).ToArray();
            rng.Shuffle(pick.AsSpan());
            for (int j = 0; j < n; j++) parts[j] = [pick[j]];
        }
        else
        {
            var byDomain = Enumerable.Range(0, p).GroupBy(i => domains[i]).ToDictionary(g => g.Key, g => g.ToArray());
            for (int j = 0; j < p; j++) parts[j] = [j];
            for (int j = p; j < n; j++)
            {
                int first = rng.NextInt(p);
                var pool = byDomain[domains[first]];
                int extra = 1 + rng.NextInt(2);
                var doc = new int[1 + extra];
                doc[0] = first;
                for (int e = 1; e <= extra; e++) doc[e] = pool[rng.NextInt(pool.Length)];
                parts[j] = doc;
            }
        }
        return new BenchIclmCorpus
        {
            Texts = parts.Select(ps => string.Join("\n\n", ps.Select(i => paragraphs[i]))).ToArray(),
            Parts = parts,
        };
    }

    /// <summary>Document vectors from paragraph vectors (see the class summary).</summary>
    public EmbeddingMatrix Vectors(EmbeddingMatrix paragraphVectors, string[] paragraphs)
    {
        int d = paragraphVectors.Dimension;
        var data = new float[(long)Parts.Length * d];
        Parallel.For(0, Parts.Length, j =>
        {
            var row = data.AsSpan(j * d, d);
            if (Parts[j].Length == 1) { paragraphVectors.Row(Parts[j][0]).CopyTo(row); return; }
            var sum = new double[d];
            foreach (var part in Parts[j])
            {
                var v = paragraphVectors.Row(part);
                double w = paragraphs[part].Length;
                for (int c = 0; c < d; c++) sum[c] += w * v[c];
            }
            double norm = Math.Sqrt(sum.Sum(x => x * x));
            for (int c = 0; c < d; c++) row[c] = norm == 0 ? 0 : (float)(sum[c] / norm);
        });
        return new EmbeddingMatrix(Parts.Length, d, data, paragraphVectors.Model);
    }
}
