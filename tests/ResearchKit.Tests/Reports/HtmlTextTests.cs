using Microsoft.Data.Analysis;
using ResearchKit.Reports;

namespace ResearchKit.Tests.Reports;

public class HtmlTextTests
{
    [Fact]
    public void TablesBecomeAlignedColumnsWithNumbersRightAligned()
    {
        var frame = new DataFrame(new StringDataFrameColumn("domain", ["news", "python-code"]), new DoubleDataFrameColumn("loss", [2.5, 12.25]),
            new Int64DataFrameColumn("tokens", [614400L, 12]));
        Assert.Equal(
            "domain        loss   tokens\n" +
            "news           2.5  614,400\n" +
            "python-code  12.25       12",
            HtmlText.ToPlain(DataFrameHtml.ToHtml(frame)));
    }

    [Fact]
    public void BlocksStartLinesScriptsGoAndEntitiesAreDecoded()
    {
        var html = "<h2>Results &amp; notes</h2><p>first <b>bold</b></p><script>var x = '<p>no</p>';</script><ul><li>one</li><li>two</li></ul>" +
                   "<div class=\"rk-chart\"><img alt=\"loss &lt;by arm&gt;\" src=\"data:image/png;base64,AAAA\"></div>";
        Assert.Equal("Results & notes\nfirst bold\n- one\n- two\n[loss <by arm>]", HtmlText.ToPlain(html));
    }

    [Fact]
    public void ProgressDisplayReadsAsOneLinePerStage()
    {
        var display = new ProgressDisplay(_ => { });
        display.Report(new WorkProgress("tokenize", 915, 915));
        display.Report(new WorkProgress("train", 120, 300, "loss 2.81"));
        Assert.Equal("tokenize  915/915\ntrain     120/300 · loss 2.81", HtmlText.ToPlain(display.ToHtml()));
    }
}
