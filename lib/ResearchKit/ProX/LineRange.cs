namespace ResearchKit.ProX;

/// <summary>Lines <see cref="Start"/>..<see cref="End"/> of a document, 0-based and inclusive, counted over
/// <c>text.Split('\n')</c> as ProX numbers them.</summary>
public readonly record struct LineRange(long Start, long End)
{
    public long Count => End - Start + 1;

    public bool Contains(long line) => line >= Start && line <= End;

    public override string ToString() => $"{Start}-{End}";

    /// <summary>Sorted, with overlapping or touching ranges merged (<c>start ≤ previous end + 1</c>), as the
    /// reference merges removal intervals. Ranges with <c>End &lt; Start</c> are kept as given (the reference
    /// merges them too).</summary>
    public static List<LineRange> Merge(IEnumerable<LineRange> ranges) =>
        MergeWithLines(ranges.Select(r => (r, 0))).Select(m => m.Range).ToList();

    /// <summary><see cref="Merge"/> keeping, for each merged range, the program line of its first range.</summary>
    internal static List<(LineRange Range, int Line)> MergeWithLines(IEnumerable<(LineRange Range, int Line)> ranges)
    {
        // A stable sort on the start only, as Python's list.sort(key=start).
        var ordered = ranges.Select((r, i) => (r, i)).OrderBy(x => x.r.Range.Start).ThenBy(x => x.i).Select(x => x.r).ToList();
        var merged = new List<(LineRange Range, int Line)>(ordered.Count);
        foreach (var r in ordered)
        {
            // Written as Start - 1 <= End so that End = long.MaxValue cannot overflow (starts are > long.MinValue).
            if (merged.Count > 0 && r.Range.Start - 1 <= merged[^1].Range.End)
                merged[^1] = (merged[^1].Range with { End = Math.Max(merged[^1].Range.End, r.Range.End) }, merged[^1].Line);
            else merged.Add(r);
        }
        return merged;
    }

    /// <summary>"0-11,87-95" (0-based inclusive; one line is "5-5"); empty for no ranges.</summary>
    public static string Format(IEnumerable<LineRange> ranges) => string.Join(",", ranges.Select(r => r.ToString()));

    /// <summary>Parses <see cref="Format"/>'s text; ranges must be non-negative with start ≤ end.</summary>
    /// <exception cref="FormatException">The text is not a list of "a-b" ranges.</exception>
    public static IReadOnlyList<LineRange> Parse(string text)
    {
        var ranges = new List<LineRange>();
        if (text.Length == 0) return ranges;
        foreach (var part in text.Split(','))
        {
            int dash = part.IndexOf('-');
            if (dash <= 0 || !long.TryParse(part.AsSpan(0, dash), System.Globalization.NumberStyles.None, null, out long a)
                || !long.TryParse(part.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out long b) || b < a)
                throw new FormatException($"'{part}' is not a line range 'start-end' (0-based, start ≤ end) in '{text}'");
            ranges.Add(new LineRange(a, b));
        }
        return ranges;
    }
}
