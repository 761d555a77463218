using System.Globalization;
using System.Text;

namespace ResearchKit.ProX;

/// <summary>
/// Reads program text into calls, one call per line. A program is data from a model: it is parsed by this grammar,
/// never compiled or evaluated.
/// <code>
/// line     := ws [ call ws ] [ '#' comment ]
/// call     := name ws '(' ws [ argument ( ws ',' ws argument )* [ ws ',' ] ] ws ')'
/// argument := [ name ws '=' ws ] literal                 (positional arguments before keyword ones)
/// literal  := int | string | 'True' | 'False'
/// int      := [ '+' | '-' ] digit ( [ '_' ] digit )*     (fits a 64-bit integer)
/// string   := '"' ... '"' | "'" ... "'"                  (escapes \\ \' \" \n \r \t \0 \a \b \f \v \xHH \uHHHH
///                                                         \UHHHHHHHH; an unknown escape stays as written, as in Python)
/// name     := [A-Za-z_] [A-Za-z0-9_]*
/// </code>
/// A line that does not match gives one <see cref="ProgramError"/> (1-based line number and reason) and parsing goes
/// on with the next line. The grammar has no nesting, so no input can recurse deeply; work is linear in the text.
/// </summary>
public static class ProgramParser
{
    public static ParsedProgram Parse(string program, ProgramLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        limits ??= ProgramLimits.Default;
        var calls = new List<ProgramCall>();
        var errors = new List<ProgramError>();
        int length = program.Length;
        bool truncated = false;
        if (length > limits.MaxProgramChars)
        {
            // Cut at the last line break inside the limit, so no line is read half.
            length = program.LastIndexOf('\n', limits.MaxProgramChars - 1) + 1;
            truncated = true;
        }
        int pos = 0, line = 0;
        while (pos < length)
        {
            line++;
            if (line > limits.MaxLines)
            {
                errors.Add(new ProgramError(line, $"more than {limits.MaxLines} program lines; the rest is ignored"));
                return new ParsedProgram(calls, errors);
            }
            int nl = program.IndexOf('\n', pos, length - pos);
            int end = nl < 0 ? length : nl;
            var text = program.AsSpan(pos, end - pos);
            var reader = new LineReader(text, line, limits);
            if (reader.Read(out var call, out var error)) { if (call is not null) calls.Add(call); }
            else errors.Add(new ProgramError(line, error!));
            if (nl < 0) break;
            pos = nl + 1;
        }
        if (truncated)
            errors.Add(new ProgramError(line + 1, $"program longer than {limits.MaxProgramChars} characters; the rest is ignored"));
        return new ParsedProgram(calls, errors);
    }

    /// <summary>A short, printable description of what was found where something else was expected.</summary>
    internal static string Describe(ReadOnlySpan<char> rest)
    {
        if (rest.IsEmpty) return "the end of the line";
        char c = rest[0];
        if (char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)) return $"U+{(int)c:X4}";
        var excerpt = rest.Length > 20 ? rest[..20].ToString() + "…" : rest.ToString();
        return $"'{excerpt}'";
    }

    internal static string Excerpt(ReadOnlySpan<char> name) => name.Length > 40 ? name[..40].ToString() + "…" : name.ToString();

    ref struct LineReader(ReadOnlySpan<char> s, int line, ProgramLimits limits)
    {
        readonly ReadOnlySpan<char> _s = s;
        int _i;

        bool AtEnd => _i >= _s.Length;
        char Peek => _s[_i];

        void SkipSpace()
        {
            while (_i < _s.Length && char.IsWhiteSpace(_s[_i])) _i++;
        }

        static bool IsNameStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';
        static bool IsNamePart(char c) => IsNameStart(c) || c is >= '0' and <= '9';

        ReadOnlySpan<char> ReadName()
        {
            int start = _i;
            while (_i < _s.Length && IsNamePart(_s[_i])) _i++;
            return _s[start.._i];
        }

        /// <summary>True with a call (or null for a blank or comment line), or false with the reason.</summary>
        public bool Read(out ProgramCall? call, out string? error)
        {
            call = null;
            error = null;
            SkipSpace();
            if (AtEnd || Peek == '#') return true;
            if (!IsNameStart(Peek)) return Fail(out error, $"expected a function name, found {Describe(_s[_i..])}");
            var name = ReadName().ToString();
            SkipSpace();
            if (AtEnd || Peek != '(') return Fail(out error, $"expected '(' after '{Excerpt(name)}', found {Describe(_s[_i..])}");
            _i++;
            var args = new List<ProgramArgument>();
            bool keywordSeen = false;
            SkipSpace();
            if (!AtEnd && Peek == ')') _i++;
            else
            {
                while (true)
                {
                    SkipSpace();
                    if (AtEnd) return Fail(out error, $"missing ')' to close '{Excerpt(name)}('");
                    string? keyword = null;
                    ProgramValue? value;
                    if (IsNameStart(Peek))
                    {
                        var word = ReadName();
                        SkipSpace();
                        if (!AtEnd && Peek == '=')
                        {
                            keyword = word.ToString();
                            _i++;
                            SkipSpace();
                            if (!AtEnd && IsNameStart(Peek))
                            {
                                var constant = ReadName();
                                if (constant.SequenceEqual("True")) value = new ProgramValue.Bool(true);
                                else if (constant.SequenceEqual("False")) value = new ProgramValue.Bool(false);
                                else return Fail(out error, $"unknown name '{Excerpt(constant)}' (arguments are int or string literals)");
                            }
                            else if (!ReadLiteral(out value, out error)) return false;
                        }
                        else if (!AtEnd && Peek == '(') return Fail(out error, $"arguments must be literals, not a call to '{Excerpt(word)}'");
                        else if (word.SequenceEqual("True")) value = new ProgramValue.Bool(true);
                        else if (word.SequenceEqual("False")) value = new ProgramValue.Bool(false);
                        else return Fail(out error, $"unknown name '{Excerpt(word)}' (arguments are int or string literals)");
                    }
                    else if (!ReadLiteral(out value, out error)) return false;
                    if (keyword is null && keywordSeen) return Fail(out error, "positional argument after a keyword argument");
                    keywordSeen |= keyword is not null;
                    args.Add(new ProgramArgument(keyword, value!));
                    SkipSpace();
                    if (AtEnd) return Fail(out error, $"missing ')' to close '{Excerpt(name)}('");
                    if (Peek == ')') { _i++; break; }
                    if (Peek != ',') return Fail(out error, $"expected ',' or ')' after an argument, found {Describe(_s[_i..])}");
                    _i++;
                    SkipSpace();
                    if (!AtEnd && Peek == ')') { _i++; break; }
                }
            }
            SkipSpace();
            if (!AtEnd && Peek != '#') return Fail(out error, $"unexpected text after the call: {Describe(_s[_i..])}");
            call = new ProgramCall(name, args, line);
            return true;
        }

        static bool Fail(out string? error, string reason)
        {
            error = reason;
            return false;
        }

        bool ReadLiteral(out ProgramValue? value, out string? error)
        {
            value = null;
            error = null;
            if (AtEnd) return Fail(out error, "expected an int or string literal, found the end of the line");
            char c = Peek;
            if (c is '"' or '\'') return ReadString(c, out value, out error);
            if (c is (>= '0' and <= '9') or '+' or '-') return ReadInt(out value, out error);
            if (c == '(') return Fail(out error, "unexpected '(' (arguments are int or string literals)");
            return Fail(out error, $"expected an int or string literal, found {Describe(_s[_i..])}");
        }

        bool ReadInt(out ProgramValue? value, out string? error)
        {
            value = null;
            error = null;
            bool negative = false;
            if (Peek is '+' or '-') { negative = Peek == '-'; _i++; }
            if (AtEnd || Peek is < '0' or > '9') return Fail(out error, $"expected digits after the sign, found {Describe(_s[_i..])}");
            ulong magnitude = 0;
            bool overflow = false, lastUnderscore = false;
            while (!AtEnd && (Peek is >= '0' and <= '9' || Peek == '_'))
            {
                if (Peek == '_')
                {
                    if (lastUnderscore) return Fail(out error, "two '_' in a row in an int literal");
                    lastUnderscore = true;
                    _i++;
                    continue;
                }
                lastUnderscore = false;
                ulong digit = (ulong)(Peek - '0');
                if (magnitude > (ulong.MaxValue - digit) / 10) overflow = true;
                else magnitude = magnitude * 10 + digit;
                _i++;
            }
            if (lastUnderscore) return Fail(out error, "an int literal cannot end with '_'");
            if (!AtEnd && IsNamePart(Peek)) return Fail(out error, $"malformed int literal near {Describe(_s[_i..])}");
            if (overflow || magnitude > (negative ? 1UL << 63 : long.MaxValue))
                return Fail(out error, "int literal out of range (more than 64 bits)");
            value = new ProgramValue.Int(negative ? (long)(0 - magnitude) : (long)magnitude);
            return true;
        }

        bool ReadString(char quote, out ProgramValue? value, out string? error)
        {
            value = null;
            error = null;
            _i++;
            var sb = new StringBuilder();
            while (true)
            {
                // Copy the run up to the next quote or backslash in one step: a 1 MB literal is one scan.
                var rest = _s[_i..];
                int k = rest.IndexOfAny(quote, '\\');
                if (k < 0) return Fail(out error, $"unterminated string literal (no closing {quote} on this line)");
                if (sb.Length + k > limits.MaxArgumentChars) return Fail(out error, $"string literal longer than {limits.MaxArgumentChars} characters");
                sb.Append(rest[..k]);
                _i += k;
                if (Peek == quote) { _i++; break; }
                _i++;   // the backslash
                if (AtEnd) return Fail(out error, "unterminated string literal (ends with a backslash)");
                char e = Peek;
                _i++;
                switch (e)
                {
                    case '\\': sb.Append('\\'); break;
                    case '\'': sb.Append('\''); break;
                    case '"': sb.Append('"'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case '0': sb.Append('\0'); break;
                    case 'a': sb.Append('\a'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'v': sb.Append('\v'); break;
                    case 'x': if (!Hex(2, sb, out error)) return false; break;
                    case 'u': if (!Hex(4, sb, out error)) return false; break;
                    case 'U': if (!Hex(8, sb, out error)) return false; break;
                    default: sb.Append('\\').Append(e); break;   // Python keeps unknown escapes as written
                }
                if (sb.Length > limits.MaxArgumentChars) return Fail(out error, $"string literal longer than {limits.MaxArgumentChars} characters");
            }
            var text = sb.ToString();
            if (HasUnpairedSurrogate(text)) return Fail(out error, "string literal holds an unpaired surrogate (not Unicode text)");
            value = new ProgramValue.Str(text);
            return true;
        }

        bool Hex(int digits, StringBuilder sb, out string? error)
        {
            error = null;
            if (_s.Length - _i < digits || !uint.TryParse(_s.Slice(_i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint code))
                return Fail(out error, $"escape needs {digits} hex digits");
            _i += digits;
            if (code > 0x10FFFF) return Fail(out error, $"escape U+{code:X} is beyond Unicode");
            if (code >= 0x10000) sb.Append(char.ConvertFromUtf32((int)code));
            else sb.Append((char)code);
            return true;
        }
    }

    internal static bool HasUnpairedSurrogate(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return true;
        }
        return false;
    }
}
