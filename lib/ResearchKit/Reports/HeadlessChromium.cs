using System.Diagnostics;

namespace ResearchKit.Reports;

/// <summary>Where a browser for static chart images was found, or why none is used.</summary>
/// <param name="Path">The executable, or null when none is usable.</param>
/// <param name="Problem">Why there is none (null when <paramref name="Path"/> is set).</param>
public sealed record BrowserLookup(string? Path, string? Problem)
{
    public bool Found => Path is not null;
}

/// <summary>Raised when the browser could not render chart images; the message says what happened.</summary>
public sealed class ChartImageException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A real Chromium run headless for one page, with no network, profile or GPU: the page's scripts run and the DOM
/// they leave is returned (<c>--dump-dom</c>). One process per call, so a page should batch its work.
/// </summary>
public static class HeadlessChromium
{
    /// <summary>A browser executable to use instead of searching PATH, or <c>none</c> to use no browser.</summary>
    public const string EnvironmentVariable = "RK_CHROMIUM";

    static readonly string[] Candidates = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "chrome"];

    /// <summary><c>RK_CHROMIUM</c> when set, else the first of chromium, chromium-browser, google-chrome on PATH.
    /// Does not start the browser: a stub (Ubuntu's snap-only chromium-browser) shows up as a render failure.</summary>
    public static BrowserLookup Find()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (configured is { Length: > 0 })
        {
            if (configured is "none" or "off" or "0") return new(null, $"{EnvironmentVariable}={configured} turns static chart images off");
            return File.Exists(configured) ? new(configured, null) : new(null, $"{EnvironmentVariable}={configured}: no such file");
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var name in Candidates)
            {
                var path = System.IO.Path.Combine(dir, name);
                if (File.Exists(path)) return new(path, null);
            }
        return new(null, $"no Chromium found (looked for {string.Join(", ", Candidates)} on PATH; install Debian's 'chromium' or set {EnvironmentVariable})");
    }

    /// <summary>Opens <paramref name="htmlPath"/> and returns the serialized DOM once its scripts are done (Chromium's
    /// virtual time lets timers and promises finish without waiting for them in real time).</summary>
    /// <exception cref="ChartImageException">The browser did not start, failed, or took longer than <paramref name="timeout"/>.</exception>
    public static string DumpDom(string browser, string htmlPath, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var profile = Directory.CreateTempSubdirectory("rk-chromium-").FullName;
        try
        {
            var psi = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
                         "--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--virtual-time-budget=60000",
                         "--dump-dom", new Uri(System.IO.Path.GetFullPath(htmlPath)).AbsoluteUri,
                     })
                psi.ArgumentList.Add(arg);
            using var process = Start(psi, browser);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            bool exited;
            try { exited = process.WaitForExitAsync(cancellationToken).Wait(timeout); }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException) { exited = false; }
            if (!exited)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new ChartImageException($"{browser} did not finish within {timeout.TotalSeconds:F0} s");
            }
            var dom = stdout.GetAwaiter().GetResult();
            if (process.ExitCode != 0 || dom.Length == 0)
                throw new ChartImageException($"{browser} exited with code {process.ExitCode}: {LastLines(stderr.GetAwaiter().GetResult())}");
            return dom;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static Process Start(ProcessStartInfo psi, string browser)
    {
        try { return Process.Start(psi) ?? throw new ChartImageException($"{browser} did not start"); }
        catch (System.ComponentModel.Win32Exception e) { throw new ChartImageException($"{browser} could not be started: {e.Message}", e); }
    }

    /// <summary>The browser's own complaint without its D-Bus and GPU noise.</summary>
    static string LastLines(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.Contains("dbus", StringComparison.OrdinalIgnoreCase)).TakeLast(3).ToArray();
        return lines.Length == 0 ? "(no message)" : string.Join(" / ", lines);
    }
}
