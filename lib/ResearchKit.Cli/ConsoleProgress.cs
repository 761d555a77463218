using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>Renders the library's <see cref="WorkProgress"/> reports as Spectre.Console progress bars.</summary>
static class ConsoleProgress
{
    public static T Run<T>(Func<IProgress<WorkProgress>, T> work)
    {
        if (Console.IsOutputRedirected)
            return work(new SynchronousProgress(PlainLines()));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var sink = new SynchronousProgress(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                        tasks[p.Stage] = task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.Total ?? 1));
                    if (p.Total is { } total) { task.MaxValue = Math.Max(1, total); task.Value = p.Done; }
                    else task.IsIndeterminate = true;
                    task.Description = Markup.Escape(p.Detail is null ? p.Stage : $"{p.Stage} · {p.Detail}");
                });
                result = work(sink);
                foreach (var t in tasks.Values) if (!t.IsIndeterminate) t.Value = t.MaxValue; else t.StopTask();
            });
        return result;
    }

    /// <summary>For logs (output redirected): a stderr line per stage every 10 s, when a stage completes, and at every
    /// step of coarse stages (100 units or fewer: notebook cells, ablation arms).</summary>
    static Action<WorkProgress> PlainLines()
    {
        var last = new Dictionary<string, (long At, long Done)>();
        return p =>
        {
            long now = Environment.TickCount64;
            bool complete = p.Total is { } t && p.Done >= t;
            bool seen = last.TryGetValue(p.Stage, out var previous);
            bool coarseStep = p.Total is <= 100 && (!seen || previous.Done != p.Done);
            if (!complete && !coarseStep && seen && now - previous.At < 10_000) return;
            last[p.Stage] = (now, p.Done);
            Console.Error.WriteLine($"{p.Stage}: {p.Done:N0}{(p.Total is { } total ? $"/{total:N0}" : "")}{(p.Detail is null ? "" : " · " + p.Detail)}");
        };
    }

    public static void Run(Action<IProgress<WorkProgress>> work) => Run<object?>(p => { work(p); return null; });

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and reorder updates).</summary>
    sealed class SynchronousProgress(Action<WorkProgress> report) : IProgress<WorkProgress>
    {
        readonly object _gate = new();
        public void Report(WorkProgress value) { lock (_gate) report(value); }
    }
}
