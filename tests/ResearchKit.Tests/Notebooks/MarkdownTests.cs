using ResearchKit.Notebooks;

namespace ResearchKit.Tests.Notebooks;

public class MarkdownTests
{
    [Fact]
    public void PipeTablesBecomeHtmlTablesWithInlineMarkupAndEscaping()
    {
        var html = Markdown.ToHtml("Results:\n\n| arm | loss |\n| --- | ---: |\n| `f0.1` | **2.56** |\n| a<b | 2.61 |\nAfter.");
        Assert.Equal(
            "<p>Results:</p>\n<table>\n<thead><tr><th>arm</th><th>loss</th></tr></thead>\n<tbody>\n" +
            "<tr><td><code>f0.1</code></td><td><strong>2.56</strong></td></tr>\n<tr><td>a&lt;b</td><td>2.61</td></tr>\n</tbody>\n</table>\n" +
            "<p>After.</p>\n", html);
    }

    [Fact]
    public void APipeLineWithoutASeparatorRowStaysText()
    {
        Assert.Equal("<p>| not a table |</p>\n", Markdown.ToHtml("| not a table |"));
    }
}
