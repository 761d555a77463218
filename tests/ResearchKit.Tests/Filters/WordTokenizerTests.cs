using ResearchKit.Filters;

namespace ResearchKit.Tests.Filters;

/// <summary>Outputs NLTK's word_tokenize gives for the same strings (NLTK's documentation examples).</summary>
public sealed class WordTokenizerTests
{
    [Theory]
    [InlineData("Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.",
                "Good|muffins|cost|$|3.88|in|New|York|.|Please|buy|me|two|of|them|.|Thanks|.")]
    [InlineData("They'll save and invest more.", "They|'ll|save|and|invest|more|.")]
    [InlineData("hi, my name can't hello,", "hi|,|my|name|ca|n't|hello|,")]
    [InlineData("She said \"hello\" to me.", "She|said|``|hello|''|to|me|.")]
    [InlineData("Wait... what?! (Really) -- yes; 50% off #1 & more", "Wait|...|what|?|!|(|Really|)|--|yes|;|50|%|off|#|1|&|more")]
    [InlineData("I cannot go, gonna stay.", "I|can|not|go|,|gon|na|stay|.")]
    public void MatchesNltkOnItsExamples(string text, string expected) =>
        Assert.Equal(expected.Split('|'), WordTokenizer.Tokenize(text));

    [Fact]
    public void SentencesBreakAfterTerminalPunctuationBeforeANonLowercaseCharacter()
    {
        Assert.Equal(["This is kept.", "So is this one!", "Is it?"], WordTokenizer.Sentences("This is kept. So is this one! Is it?"));
        Assert.Equal(["version 3.11 is out. see notes."], WordTokenizer.Sentences("version 3.11 is out. see notes."));
        Assert.Equal(2, WordTokenizer.CountSentences("He said \"Go.\" Then he left."));
    }
}
