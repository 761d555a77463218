using Microsoft.Playwright;

namespace ResearchKit.Tests.Notebooks;

/// <summary>What a page did in a real browser: Debian's chromium (installed by .ci/install.sh) driven by Playwright's
/// driver from the test output, so no `playwright install` and no network.</summary>
sealed record PageVisit(int Charts, int Heatmaps, int LineTraces, IReadOnlyList<string> Errors, IReadOnlyList<string> Requests);

static class HeadlessBrowser
{
    const string Chromium = "/usr/bin/chromium";

    /// <summary>Opens a local HTML file with JavaScript off, as GitHub and mail previews show a page, and returns a
    /// screenshot of each element matching <paramref name="selector"/>.</summary>
    public static async Task<IReadOnlyList<byte[]>> ScreenshotsWithoutJavaScriptAsync(string htmlPath, string selector)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run .ci/install.sh");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium, Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync(new() { JavaScriptEnabled = false, ViewportSize = new() { Width = 1200, Height = 900 } });
        var tab = await context.NewPageAsync();
        await tab.GotoAsync(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);
        var shots = new List<byte[]>();
        foreach (var element in await tab.Locator(selector).AllAsync())
            shots.Add(await element.ScreenshotAsync());
        return shots;
    }

    /// <summary>Opens a local HTML file, waits for <paramref name="expectedCharts"/> Plotly charts to draw and reports
    /// console/page errors and any non-file request (the pages must work offline).</summary>
    public static async Task<PageVisit> VisitAsync(string htmlPath, int expectedCharts)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run .ci/install.sh");
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
        await tab.GotoAsync(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);
        if (expectedCharts > 0)
            await tab.WaitForFunctionAsync($"document.querySelectorAll('.main-svg .cartesianlayer').length >= {expectedCharts}", null, new() { Timeout = 30000 });
        return new(await tab.Locator(".main-svg .cartesianlayer").CountAsync(), await tab.Locator(".heatmaplayer .hm").CountAsync(),
                   await tab.Locator(".scatterlayer .trace").CountAsync(), errors, requests);
    }
}
