namespace ResearchKit.Packing.Iclm;

/// <summary>
/// The ICLM reference's only dedup (sort.py, at write time), as an option: walking a finished order, a document is
/// dropped when the Jaccard similarity of the character 3-gram sets of its first 100 characters and of the previously
/// written document's first 100 characters is greater than 0.85. Characters are Unicode code points, as Python's
/// string slicing counts them. As in the reference, when neither prefix has a 3-gram (both under 3 characters) the
/// ratio is 0/0 and the document is dropped.
/// <para>Fixed: the reference cut the order into 32 slices of len//32 (a zero step, and a crash, under 32 documents)
/// only to run them in parallel; the first document of each slice then escaped the check. This pass is one slice:
/// every document but the first is compared with its predecessor, at any corpus size.</para>
/// </summary>
public static class LexicalDedup
{
    public const double ReferenceThreshold = 0.85;
    public const int ReferencePrefix = 100;

    /// <summary>Runs over <paramref name="order"/> (indices into <paramref name="texts"/>); the result is indexed by
    /// document, with <see cref="DedupResult.DuplicateOf"/> the written document each removed one matched.</summary>
    public static DedupResult Run(IReadOnlyList<int> order, IReadOnlyList<string> texts, double threshold = ReferenceThreshold, int prefix = ReferencePrefix)
    {
        if (prefix < 3) throw new ArgumentOutOfRangeException(nameof(prefix), prefix, "a 3-gram needs a prefix of 3 characters or more");
        var removed = new bool[texts.Count];
        var duplicateOf = new int[texts.Count];
        Array.Fill(duplicateOf, -1);
        HashSet<long>? previous = null;
        int previousDoc = -1;
        foreach (var doc in order)
        {
            var grams = Trigrams(texts[doc], prefix);
            if (previous is not null && IsDuplicate(grams, previous, threshold))
            {
                removed[doc] = true;
                duplicateOf[doc] = previousDoc;
                continue;
            }
            previous = grams;
            previousDoc = doc;
        }
        return new DedupResult(removed, duplicateOf);
    }

    /// <summary>Jaccard of two 3-gram sets, or NaN when both are empty (0/0).</summary>
    public static double Jaccard(string a, string b, int prefix = ReferencePrefix)
    {
        var x = Trigrams(a, prefix);
        var y = Trigrams(b, prefix);
        int union = x.Count + y.Count - x.Count(y.Contains);
        return union == 0 ? double.NaN : (double)x.Count(y.Contains) / union;
    }

    static bool IsDuplicate(HashSet<long> grams, HashSet<long> previous, double threshold)
    {
        int shared = 0;
        foreach (var g in grams) if (previous.Contains(g)) shared++;
        int union = grams.Count + previous.Count - shared;
        return union == 0 || (double)shared / union > threshold;
    }

    /// <summary>3-grams of the first <paramref name="prefix"/> code points, each packed as three 21-bit code points.</summary>
    static HashSet<long> Trigrams(string text, int prefix)
    {
        var points = new List<int>(Math.Min(prefix, text.Length));
        foreach (var rune in text.EnumerateRunes())
        {
            if (points.Count == prefix) break;
            points.Add(rune.Value);
        }
        var grams = new HashSet<long>();
        for (int i = 0; i + 2 < points.Count; i++)
            grams.Add(((long)points[i] << 42) | ((long)points[i + 1] << 21) | (long)points[i + 2]);
        return grams;
    }
}
