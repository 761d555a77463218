using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>The outcome of running an ablation, as also written to <see cref="Directory"/>.</summary>
/// <param name="Directory"><c>&lt;results&gt;/&lt;ablation&gt;/</c>: config.json, results.parquet, curves.parquet, tables/*.parquet, arms/.</param>
/// <param name="Results">One row per arm: <c>arm</c>, then one double column per metric (null where an arm lacks it).</param>
/// <param name="Curves">Columns <c>arm, step, metric, value</c>.</param>
/// <param name="Tables">Each named table of all arms, with an <c>arm</c> column first.</param>
/// <param name="Computed">Arms that ran in this call.</param>
/// <param name="Cached">Arms loaded from an earlier run with the same config hash.</param>
public sealed record AblationResults(
    string Directory,
    DataFrame Results,
    DataFrame Curves,
    IReadOnlyDictionary<string, DataFrame> Tables,
    IReadOnlyList<string> Computed,
    IReadOnlyList<string> Cached);
