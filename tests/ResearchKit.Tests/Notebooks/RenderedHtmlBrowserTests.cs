using Microsoft.Playwright;
using ResearchKit.Notebooks;

namespace ResearchKit.Tests.Notebooks;

/// <summary>Opens a rendered notebook in a real browser (Debian's chromium, installed by .ci/install.sh; Playwright's
/// own driver ships in the test output, so no `playwright install` and no network) and checks the chart drew.</summary>
[Collection("notebooks")]
public class RenderedHtmlBrowserTests
{
    const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task ChartRendersOfflineWithoutConsoleErrors()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run .ci/install.sh");
        var dir = Directory.CreateTempSubdirectory("rk-nb-browser-").FullName;
        try
        {
            var nb = new Notebook { Cells = [NotebookCell.Markdown("# Chart"), NotebookCell.Code(NotebookRunnerTests.ChartCell("loss"))] };
            var result = await NotebookRunner.RunAsync(nb, dir);
            Assert.True(result.Succeeded, result.Failure?.Message);
            var page = Path.Combine(dir, "chart.html");
            File.WriteAllText(page, NotebookHtml.Render(result.Notebook, "chart"));

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run"],
            });
            var tab = await browser.NewPageAsync();
            var errors = new List<string>();
            tab.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
            tab.PageError += (_, e) => errors.Add(e);
            var requests = new List<string>();
            tab.Request += (_, r) => { if (!r.Url.StartsWith("file:")) requests.Add(r.Url); };
            await tab.GotoAsync(new Uri(page).AbsoluteUri);
            await tab.WaitForSelectorAsync(".main-svg", new() { Timeout = 15000 });
            Assert.True(await tab.Locator(".main-svg").CountAsync() >= 1);
            Assert.True(await tab.Locator(".scatterlayer .trace").CountAsync() == 1);   // the one line drawn
            Assert.Empty(errors);
            Assert.Empty(requests);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
