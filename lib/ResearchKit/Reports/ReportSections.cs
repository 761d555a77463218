namespace ResearchKit.Reports;

/// <summary>
/// Method-specific sections of an ablation report (<see cref="AblationReport"/>): each method registers a writer that
/// looks at the results folder and adds its sections when the results are its own (e.g. DoReMi's weights and α
/// charts when <c>tables/domain_weights.parquet</c> exists), so the generic report never names a method.
/// </summary>
public static class ReportSections
{
    static readonly List<Action<string, HtmlPage>> Writers = [];

    /// <summary>Adds a writer called with the results folder and the page being built.</summary>
    public static void Register(Action<string, HtmlPage> writer)
    {
        lock (Writers) Writers.Add(writer);
    }

    internal static void Append(string resultsDirectory, HtmlPage page)
    {
        Action<string, HtmlPage>[] writers;
        lock (Writers) writers = Writers.ToArray();
        foreach (var write in writers) write(resultsDirectory, page);
    }
}
