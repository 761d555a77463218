using System.Text.RegularExpressions;

namespace ResearchKit.Filters;

/// <summary>
/// English word tokenization as datatrove's filters do it (NLTK's <c>word_tokenize</c>): text split into sentences,
/// each tokenized with the Treebank rules of NLTK's <c>NLTKWordTokenizer</c> (quotes become `` and '', punctuation
/// and brackets split off, contractions split: "don't" → "do", "n't", a sentence's final period split off).
/// Sentences are split after '.', '!' or '?' (with closing quotes or brackets) followed by white space and a character
/// that is not a lowercase letter; NLTK uses the trained Punkt model, which also knows abbreviations, so counts can
/// differ on text such as "Dr. Smith".
/// </summary>
public static partial class WordTokenizer
{
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (var sentence in Sentences(text)) TokenizeSentence(sentence, tokens);
        return tokens;
    }

    /// <summary>The sentences of <paramref name="text"/> (see the class summary), without surrounding white space.</summary>
    public static IEnumerable<string> Sentences(string text)
    {
        int start = 0;
        foreach (Match m in SentenceBreak().Matches(text))
        {
            int end = m.Index + m.Groups[1].Length;
            var sentence = text[start..end].Trim();
            if (sentence.Length > 0) yield return sentence;
            start = m.Index + m.Length;
        }
        var last = text[start..].Trim();
        if (last.Length > 0) yield return last;
    }

    /// <summary>How many sentences <see cref="Sentences"/> finds (C4's sentence count).</summary>
    public static int CountSentences(string text) => Sentences(text).Count();

    static void TokenizeSentence(string s, List<string> tokens)
    {
        // NLTKWordTokenizer.tokenize: starting quotes, punctuation, brackets, dashes, ending quotes, contractions.
        s = QuoteOpeners().Replace(s, " $1 ");
        s = LeadingDoubleQuote().Replace(s, "``");
        s = Backticks().Replace(s, " $1 ");
        s = OpeningDoubleQuote().Replace(s, "$1 `` ");
        s = QuoteBeforeWord().Replace(s, "$1 $2");
        s = FinalPeriodWithQuotes().Replace(s, "$1 $2 $3 ");
        s = CommaColonBeforeNonDigit().Replace(s, " $1 $2");
        s = CommaColonAtEnd().Replace(s, " $1 ");
        s = Ellipsis().Replace(s, " $0 ");
        s = Symbols().Replace(s, " $0 ");
        s = FinalPeriod().Replace(s, "$1 $2$3 ");
        s = QuestionExclamation().Replace(s, " $0 ");
        s = ApostropheBeforeSpace().Replace(s, "$1 ' ");
        s = Asterisk().Replace(s, " $0 ");
        s = Brackets().Replace(s, " $0 ");
        s = DoubleDash().Replace(s, " -- ");
        s = " " + s + " ";
        s = QuoteClosers().Replace(s, " $1 ");
        s = TwoApostrophes().Replace(s, " '' ");
        s = DoubleQuote().Replace(s, " '' ");
        s = Clitic1().Replace(s, "$1 $2 ");
        s = Clitic2().Replace(s, "$1 $2 ");
        s = Contractions2().Replace(s, SplitContraction);
        s = Contractions3().Replace(s, " $1 $2 ");
        foreach (var token in s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) tokens.Add(token);
    }

    const RegexOptions Options = RegexOptions.CultureInvariant;

    [GeneratedRegex(@"([.!?]+[""')\]’”»]*)\s+(?=[^\p{Ll}\s])", Options)] private static partial Regex SentenceBreak();
    [GeneratedRegex(@"([«“‘„]|[`]+)", Options)] private static partial Regex QuoteOpeners();
    [GeneratedRegex(@"^""", Options)] private static partial Regex LeadingDoubleQuote();
    [GeneratedRegex(@"(``)", Options)] private static partial Regex Backticks();
    [GeneratedRegex(@"([ (\[{<])(""|'{2})", Options)] private static partial Regex OpeningDoubleQuote();
    [GeneratedRegex(@"(')(?!re|ve|ll|m|t|s|d|n)(\w)\b", Options | RegexOptions.IgnoreCase)] private static partial Regex QuoteBeforeWord();
    [GeneratedRegex(@"([^.])(\.)([\])}>""'»”’ ]*)\s*$", Options)] private static partial Regex FinalPeriodWithQuotes();
    [GeneratedRegex(@"([:,])([^\d])", Options)] private static partial Regex CommaColonBeforeNonDigit();
    [GeneratedRegex(@"([:,])$", Options)] private static partial Regex CommaColonAtEnd();
    [GeneratedRegex(@"\.{2,}", Options)] private static partial Regex Ellipsis();
    [GeneratedRegex(@"[;@#$%&]", Options)] private static partial Regex Symbols();
    [GeneratedRegex(@"([^.])(\.)([\])}>""']*)\s*$", Options)] private static partial Regex FinalPeriod();
    [GeneratedRegex(@"[?!]", Options)] private static partial Regex QuestionExclamation();
    [GeneratedRegex(@"([^'])' ", Options)] private static partial Regex ApostropheBeforeSpace();
    [GeneratedRegex(@"[*]", Options)] private static partial Regex Asterisk();
    [GeneratedRegex(@"[\][(){}<>]", Options)] private static partial Regex Brackets();
    [GeneratedRegex(@"--", Options)] private static partial Regex DoubleDash();
    [GeneratedRegex(@"([»”’])", Options)] private static partial Regex QuoteClosers();
    [GeneratedRegex(@"''", Options)] private static partial Regex TwoApostrophes();
    [GeneratedRegex(@"""", Options)] private static partial Regex DoubleQuote();
    [GeneratedRegex(@"([^' ])('[sS]|'[mM]|'[dD]|') ", Options)] private static partial Regex Clitic1();
    [GeneratedRegex(@"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", Options)] private static partial Regex Clitic2();
    [GeneratedRegex(@"\b(can)(not)\b|\b(d)('ye)\b|\b(gim)(me)\b|\b(gon)(na)\b|\b(got)(ta)\b|\b(lem)(me)\b|\b(more)('n)\b|\b(wan)(na)(?=\s)", Options | RegexOptions.IgnoreCase)]
    private static partial Regex Contractions2();
    [GeneratedRegex(@" ('t)(is|was)\b", Options | RegexOptions.IgnoreCase)] private static partial Regex Contractions3();

    /// <summary>NLTK's CONTRACTIONS2 patterns are one alternation here; each alternative has two groups.</summary>
    static string SplitContraction(Match m)
    {
        for (int g = 1; g + 1 < m.Groups.Count; g += 2)
            if (m.Groups[g].Success) return $" {m.Groups[g].Value} {m.Groups[g + 1].Value} ";
        return m.Value;
    }
}
