namespace ResearchKit.ProX;

/// <summary>
/// Which lines of a document a refinement took out, found from the texts alone, so any line-level transform (C4's
/// line filter, a ProX program, a chain of them) can be scored against line labels the same way. The lines of both
/// texts (<c>Split('\n')</c>, compared with surrounding whitespace trimmed, as line filters strip them) are aligned
/// by a longest common subsequence; original lines outside it were removed. A line an edit changed (a
/// <c>normalize</c>) counts as removed. Among equally long alignments the earliest original lines are kept.
/// </summary>
public static class LineAlignment
{
    /// <summary>Above this many line pairs the alignment is greedy (each refined line matched to the next equal
    /// original line) rather than optimal, to bound memory.</summary>
    public const long MaxCells = 1L << 22;

    /// <summary>Merged 0-based inclusive ranges of <paramref name="original"/>'s lines that are not in
    /// <paramref name="refined"/>; every line when <paramref name="refined"/> is null (the document was dropped).</summary>
    public static IReadOnlyList<LineRange> RemovedLines(string original, string? refined)
    {
        // A text kept unchanged (by a document filter, say) aligns line for line: no need for the O(lines²) table.
        if (refined == original) return [];
        var a = original.Split('\n');
        if (refined is null) return [new LineRange(0, a.Length - 1)];
        var b = refined.Split('\n');
        var kept = (long)a.Length * b.Length <= MaxCells ? Lcs(a, b) : Greedy(a, b);
        var removed = new List<LineRange>();
        for (int i = 0; i < a.Length; i++)
        {
            if (kept[i]) continue;
            if (removed.Count > 0 && removed[^1].End == i - 1) removed[^1] = removed[^1] with { End = i };
            else removed.Add(new LineRange(i, i));
        }
        return removed;
    }

    static bool Same(string x, string y) => x.AsSpan().Trim().SequenceEqual(y.AsSpan().Trim());

    /// <summary>Which original lines an optimal alignment keeps. Suffix table: L[i,j] = LCS of a[i..], b[j..]; the
    /// walk from (0,0) takes every match it meets and otherwise skips an original line when that loses nothing, which
    /// keeps the earliest lines.</summary>
    static bool[] Lcs(string[] a, string[] b)
    {
        int n = a.Length, m = b.Length;
        var table = new int[(n + 1) * (m + 1)];
        int At(int i, int j) => i * (m + 1) + j;
        for (int i = n - 1; i >= 0; i--)
            for (int j = m - 1; j >= 0; j--)
                table[At(i, j)] = Same(a[i], b[j]) ? table[At(i + 1, j + 1)] + 1 : Math.Max(table[At(i + 1, j)], table[At(i, j + 1)]);
        var kept = new bool[n];
        for (int i = 0, j = 0; i < n && j < m;)
        {
            if (Same(a[i], b[j])) { kept[i] = true; i++; j++; }   // a match always lies on an optimal path
            else if (table[At(i + 1, j)] >= table[At(i, j + 1)]) i++;
            else j++;
        }
        return kept;
    }

    static bool[] Greedy(string[] a, string[] b)
    {
        var kept = new bool[a.Length];
        int i = 0;
        foreach (var line in b)
        {
            int k = i;
            while (k < a.Length && !Same(a[k], line)) k++;
            if (k == a.Length) continue;   // a changed line: matches nothing
            kept[k] = true;
            i = k + 1;
        }
        return kept;
    }
}
