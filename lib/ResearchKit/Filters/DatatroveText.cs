namespace ResearchKit.Filters;

/// <summary>Text helpers shared by the datatrove-style filters.</summary>
internal static class DatatroveText
{
    /// <summary>datatrove's <c>PUNCTUATION_SET</c> (utils/text.py): ASCII and CJK/typographic punctuation plus control
    /// characters; a word made only of these is a "symbol word".</summary>
    static readonly HashSet<char> Punctuation = BuildPunctuation();

    static HashSet<char> BuildPunctuation()
    {
        var set = new HashSet<char>("!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»");
        foreach (var (a, b) in new[] { (0, 9), (11, 13), (13, 32), (127, 160) })
            for (int c = a; c < b; c++) set.Add((char)c);
        return set;
    }

    public static bool IsSymbolWord(string word)
    {
        foreach (char c in word)
            if (!Punctuation.Contains(c)) return false;
        return true;
    }

    /// <summary>Python's <c>len</c> of a string: code points, not UTF-16 units.</summary>
    public static int CodePoints(string s)
    {
        int n = s.Length;
        for (int i = 0; i + 1 < s.Length; i++)
            if (char.IsHighSurrogate(s[i]) && char.IsLowSurrogate(s[i + 1])) { n--; i++; }
        return n;
    }

    /// <summary>datatrove's <c>find_duplicates</c>: how many elements repeat an earlier one, and their total length.</summary>
    public static (int Elements, long Characters) FindDuplicates(IEnumerable<string> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int elements = 0;
        long chars = 0;
        foreach (var item in items)
        {
            if (seen.Add(item)) continue;
            elements++;
            chars += CodePoints(item);
        }
        return (elements, chars);
    }

    /// <summary>Python's <c>str.count</c> (non-overlapping).</summary>
    public static int Count(string text, string value)
    {
        int n = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
