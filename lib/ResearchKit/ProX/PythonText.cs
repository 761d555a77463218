using System.Buffers;
using System.Globalization;
using System.Text;

namespace ResearchKit.ProX;

/// <summary>Python <c>str</c> behaviour the reference implementations rely on, on .NET strings.</summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit: .NET's white space plus U+001C..U+001F, which Python
    /// also splits on (no astral code point is white space).</summary>
    public static bool IsWhiteSpace(char c) => c <= ' ' ? c == ' ' || c is >= '\t' and <= '\r' || c is >= '\x1c' and <= '\x1f' : char.IsWhiteSpace(c);

    /// <summary><c>len(s.split())</c>.</summary>
    public static int CountWords(ReadOnlySpan<char> s)
    {
        int words = 0;
        bool inWord = false;
        foreach (char c in s)
        {
            bool space = IsWhiteSpace(c);
            if (!space && !inWord) words++;
            inWord = !space;
        }
        return words;
    }

    /// <summary><c>s.split()</c>.</summary>
    public static List<string> SplitWords(string s)
    {
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i <= s.Length; i++)
        {
            bool space = i == s.Length || IsWhiteSpace(s[i]);
            if (!space && start < 0) start = i;
            else if (space && start >= 0) { words.Add(s[start..i]); start = -1; }
        }
        return words;
    }

    /// <summary><c>s.strip()</c> (white space).</summary>
    public static string Strip(string s)
    {
        int a = 0, b = s.Length;
        while (a < b && IsWhiteSpace(s[a])) a++;
        while (b > a && IsWhiteSpace(s[b - 1])) b--;
        return a == 0 && b == s.Length ? s : s[a..b];
    }

    /// <summary><c>s.splitlines()</c>: breaks at \n, \r, \r\n, \v, \f, \x1c, \x1d, \x1e, \x85, \u2028, \u2029; no
    /// trailing empty line for a final break; no lines for "".</summary>
    public static List<string> SplitLines(string s)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c is '\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029')
            {
                lines.Add(s[start..i]);
                if (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n') i++;
                start = i + 1;
            }
        }
        if (start < s.Length) lines.Add(s[start..]);
        return lines;
    }

    /// <summary>Python's <c>str.isalpha</c> for any character of <paramref name="word"/> (letters of every
    /// script, astral ones included).</summary>
    public static bool AnyLetter(string word)
    {
        foreach (var rune in word.EnumerateRunes())
            if (Rune.IsLetter(rune)) return true;
        return false;
    }

    /// <summary>Python's <c>int(s)</c> for a base-10 string: surrounding white space, a sign, decimal digits of any
    /// script with single '_' between them. Values beyond ±2^62 saturate there (Python's ints are unbounded; only
    /// comparisons with line counts matter here).</summary>
    public static bool TryParseInt(string s, out long value)
    {
        value = 0;
        var t = Strip(s);
        int i = 0;
        bool negative = false;
        if (i < t.Length && t[i] is '+' or '-') { negative = t[i] == '-'; i++; }
        bool any = false, lastUnderscore = false;
        const long Saturate = 1L << 62;
        while (i < t.Length)
        {
            if (t[i] == '_')
            {
                if (!any || lastUnderscore) return false;
                lastUnderscore = true;
                i++;
                continue;
            }
            if (Rune.DecodeFromUtf16(t.AsSpan(i), out var rune, out int used) != OperationStatus.Done) return false;
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.DecimalDigitNumber) return false;
            int digit = (int)Rune.GetNumericValue(rune);
            value = value > (Saturate - digit) / 10 ? Saturate : value * 10 + digit;
            any = true;
            lastUnderscore = false;
            i += used;
        }
        if (!any || lastUnderscore) return false;
        if (negative) value = -value;
        return true;
    }
}
