using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ResearchKit.Reports;

/// <summary>Progress for notebooks: collects <see cref="WorkProgress"/> reports (latest per stage) and hands an HTML
/// rendering to <paramref name="render"/>, at most every <paramref name="minInterval"/> plus on each stage's first
/// and last report. It never prints: the notebook decides where the HTML goes, e.g.
/// <code>var view = display(HTML("starting…")); var progress = new ProgressDisplay(html => view.Update(HTML(html)));</code>
/// which updates live in VS Code and leaves the final state in a headless run's output. A host that runs notebooks
/// without a screen (<c>rk notebook run</c>) sets <see cref="Mirror"/> to see the same reports as they happen.</summary>
public sealed class ProgressDisplay(Action<string> render, TimeSpan? minInterval = null) : IProgress<WorkProgress>
{
    static readonly AsyncLocal<IProgress<WorkProgress>?> Host = new();

    /// <summary>Where every display created in this async flow also sends its reports (e.g. a console), or null. Set by
    /// hosts around the code they run; a display keeps the value it saw when it was created.</summary>
    public static IProgress<WorkProgress>? Mirror { get => Host.Value; set => Host.Value = value; }

    readonly IProgress<WorkProgress>? _mirror = Host.Value;
    readonly object _gate = new();
    readonly Dictionary<string, WorkProgress> _stages = new();
    readonly List<string> _order = new();
    readonly Stopwatch _sinceRender = Stopwatch.StartNew();
    readonly TimeSpan _minInterval = minInterval ?? TimeSpan.FromMilliseconds(250);

    public void Report(WorkProgress value)
    {
        _mirror?.Report(value);
        string html;
        lock (_gate)
        {
            bool first = !_stages.ContainsKey(value.Stage);
            if (first) _order.Add(value.Stage);
            _stages[value.Stage] = value;
            bool last = value.Total is { } total && value.Done >= total;
            if (!first && !last && _sinceRender.Elapsed < _minInterval) return;
            _sinceRender.Restart();
            html = ToHtml();
        }
        render(html);
    }

    /// <summary>A table with one row per stage: name, a progress bar (or "running" when the total is unknown), counts and detail.</summary>
    public string ToHtml()
    {
        lock (_gate)
        {
            var sb = new StringBuilder("<table class=\"rk-progress\">");
            foreach (var stage in _order)
            {
                var p = _stages[stage];
                var bar = p.Total is { } t && t > 0
                    ? $"<progress value=\"{p.Done}\" max=\"{t}\"></progress>"
                    : "<span>running</span>";
                var count = p.Total is { } total ? $"{p.Done:N0}/{total:N0}" : p.Done.ToString("N0", CultureInfo.InvariantCulture);
                var detail = p.Detail is null ? "" : " · " + HtmlString.Escape(p.Detail);
                sb.Append($"<tr><td>{HtmlString.Escape(stage)}</td><td>{bar}</td><td>{count}{detail}</td></tr>");
            }
            return sb.Append("</table>").ToString();
        }
    }

    public override string ToString()
    {
        lock (_gate)
            return string.Join("\n", _order.Select(s => _stages[s]).Select(p =>
                $"{p.Stage}: {p.Done}{(p.Total is { } t ? $"/{t}" : "")}{(p.Detail is null ? "" : " · " + p.Detail)}"));
    }
}
