using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>The outcome of running an ablation, as also written to <see cref="Directory"/>.</summary>
/// <param name="Directory"><c>&lt;results&gt;/&lt;ablation&gt;/</c> (see <see cref="AblationRunner"/> for its files).</param>
/// <param name="Results">One row per arm: <c>arm</c>, <c>seeds</c>, then per metric <c>m</c> (mean over seeds), <c>m_std</c>
/// and <c>m_ci95</c> (half-width of the 95% Student-t interval; null with one seed).</param>
/// <param name="Runs">One row per (arm, seed): <c>arm</c>, <c>seed</c>, then each metric.</param>
/// <param name="Curves">Columns <c>arm, step, metric, value</c>: the mean over seeds at each step.</param>
/// <param name="Tables">Each named table of all arms with an <c>arm</c> column first, its numbers averaged over seeds
/// (with <c>_std</c> and <c>_ci95</c> columns), keyed by its text and whole-number columns.</param>
/// <param name="Computed">Stages computed in this call (<c>name-key16</c>).</param>
/// <param name="Cached">Stages reused from the store.</param>
public sealed record AblationResults(
    string Directory,
    DataFrame Results,
    DataFrame Runs,
    DataFrame Curves,
    IReadOnlyDictionary<string, DataFrame> Tables,
    IReadOnlyList<string> Computed,
    IReadOnlyList<string> Cached)
{
    /// <summary>The values of <paramref name="metric"/> for <paramref name="arm"/>, one per seed.</summary>
    public IReadOnlyList<double> SeedValues(string arm, string metric) => AblationTables.SeedValues(Runs, arm, metric);
}
