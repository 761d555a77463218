using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Globalization;
using System.Text;

namespace ResearchKit.ProX;

/// <summary>Python <c>str</c> behaviour the reference implementations rely on, on .NET strings.</summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one UTF-16 unit: .NET's white space plus U+001C..U+001F, which Python
    /// also splits on (no astral code point is white space).</summary>
    public static bool IsWhiteSpace(char c) => c <= ' ' ? c == ' ' || c is >= '\t' and <= '\r' || c is >= '\x1c' and <= '\x1f' : char.IsWhiteSpace(c);

    /// <summary><c>len(s.split())</c>. Eight characters at a time where the text is ASCII (the interpreter counts
    /// every document's words twice, so this is its hot loop).</summary>
    public static int CountWords(ReadOnlySpan<char> s)
    {
        int words = 0, i = 0;
        bool previousSpace = true;
        if (Vector256.IsHardwareAccelerated && s.Length >= 16)
        {
            ref ushort start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(s));
            var space = Vector256.Create((ushort)' ');
            var tab = Vector256.Create((ushort)'\t');
            var fileSeparator = Vector256.Create((ushort)0x1c);
            var four = Vector256.Create((ushort)4);
            var three = Vector256.Create((ushort)3);
            var nonAscii = Vector256.Create((ushort)0xFF80);
            for (; i + 16 <= s.Length; i += 16)
            {
                var v = Vector256.LoadUnsafe(ref start, (nuint)i);
                if ((v & nonAscii) != Vector256<ushort>.Zero)
                {
                    for (int k = i; k < i + 16; k++)
                    {
                        bool white = IsWhiteSpace(s[k]);
                        if (!white && previousSpace) words++;
                        previousSpace = white;
                    }
                    continue;
                }
                var white16 = Vector256.Equals(v, space) | Vector256.LessThanOrEqual(v - tab, four) | Vector256.LessThanOrEqual(v - fileSeparator, three);
                uint mask = white16.ExtractMostSignificantBits();
                uint wordStarts = ~mask & ((mask << 1) | (previousSpace ? 1u : 0u)) & 0xFFFF;
                words += BitOperations.PopCount(wordStarts);
                previousSpace = (mask & 0x8000) != 0;
            }
        }
        if (Vector128.IsHardwareAccelerated && s.Length - i >= 8)
        {
            ref ushort start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(s));
            var space = Vector128.Create((ushort)' ');
            var tab = Vector128.Create((ushort)'\t');
            var fileSeparator = Vector128.Create((ushort)0x1c);
            var four = Vector128.Create((ushort)4);
            var three = Vector128.Create((ushort)3);
            var nonAscii = Vector128.Create((ushort)0xFF80);
            for (; i + 8 <= s.Length; i += 8)
            {
                var v = Vector128.LoadUnsafe(ref start, (nuint)i);
                if ((v & nonAscii) != Vector128<ushort>.Zero)
                {
                    for (int k = i; k < i + 8; k++)
                    {
                        bool white = IsWhiteSpace(s[k]);
                        if (!white && previousSpace) words++;
                        previousSpace = white;
                    }
                    continue;
                }
                // ' ', \t..\r (9..13) and \x1c..\x1f, as unsigned range checks.
                var white8 = Vector128.Equals(v, space) | Vector128.LessThanOrEqual(v - tab, four) | Vector128.LessThanOrEqual(v - fileSeparator, three);
                uint mask = white8.ExtractMostSignificantBits();
                uint wordStarts = ~mask & ((mask << 1) | (previousSpace ? 1u : 0u)) & 0xFF;
                words += BitOperations.PopCount(wordStarts);
                previousSpace = (mask & 0x80) != 0;
            }
        }
        for (; i < s.Length; i++)
        {
            bool white = IsWhiteSpace(s[i]);
            if (!white && previousSpace) words++;
            previousSpace = white;
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
