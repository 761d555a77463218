using ResearchKit.Notebooks;

namespace ResearchKit.Tests.Notebooks;

/// <summary>Opens a rendered notebook in a real browser (Debian's chromium, installed by .ci/install.sh; Playwright's
/// own driver ships in the test output, so no `playwright install` and no network) and checks the chart drew.</summary>
[Collection("notebooks")]
public class RenderedHtmlBrowserTests
{
    [Fact]
    public async Task ChartRendersOfflineWithoutConsoleErrors()
    {
        var dir = Directory.CreateTempSubdirectory("rk-nb-browser-").FullName;
        try
        {
            var nb = new Notebook { Cells = [NotebookCell.Markdown("# Chart"), NotebookCell.Code(NotebookRunnerTests.ChartCell("loss"))] };
            var result = await NotebookRunner.RunAsync(nb, dir);
            Assert.True(result.Succeeded, result.Failure?.Message);
            var page = Path.Combine(dir, "chart.html");
            File.WriteAllText(page, NotebookHtml.Render(result.Notebook, "chart"));

            var visit = await HeadlessBrowser.VisitAsync(page, expectedCharts: 1);
            Assert.Equal(1, visit.Charts);
            Assert.Equal(1, visit.LineTraces);   // the one line drawn
            Assert.Empty(visit.Errors);
            Assert.Empty(visit.Requests);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
