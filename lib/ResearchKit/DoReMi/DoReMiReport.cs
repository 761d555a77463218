using System.Runtime.CompilerServices;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.Reports;

namespace ResearchKit.DoReMi;

/// <summary>The DoReMi section of <c>rk report</c>: readouts against seed noise and warnings
/// (<see cref="DoReMiReadouts"/>), then weights per arm, per-domain bits per byte, α and λ per domain over proxy
/// steps, α's entropy, held-out curves and iterated rounds (<see cref="DoReMiCharts"/>). Added to a report when the
/// results hold a <c>domain_weights</c> table.</summary>
public static class DoReMiReport
{
    public static void Append(string resultsDirectory, HtmlPage page)
    {
        string tables = Path.Combine(resultsDirectory, AblationRunner.TablesFolder), runsPath = Path.Combine(resultsDirectory, AblationRunner.RunsFolder, AblationRunner.ResultsFile);
        var weightsPath = Path.Combine(tables, "domain_weights.parquet");
        if (!File.Exists(weightsPath) || !File.Exists(runsPath)) return;
        var weights = DataFrameParquet.Read(weightsPath);
        var runs = DataFrameParquet.Read(runsPath);
        var named = new Dictionary<string, DataFrame> { ["domain_weights"] = weights };
        page.Heading("DoReMi");
        page.Preformatted(DoReMiReadouts.Summary(runs, named, Baseline(runs)));
        page.Chart(DoReMiCharts.Weights(weights));
        var domainLoss = Path.Combine(tables, "domain_loss.parquet");
        if (File.Exists(domainLoss)) page.Chart(DoReMiCharts.DomainBitsPerByte(DataFrameParquet.Read(domainLoss)));
        var curvesPath = Path.Combine(resultsDirectory, AblationRunner.CurvesFile);
        if (File.Exists(curvesPath))
        {
            var curves = DataFrameParquet.Read(curvesPath);
            var metrics = curves["metric"].Cast<string>().ToHashSet();
            if (metrics.Contains("val_bpb_domain_mean")) page.Chart(DoReMiCharts.ValidationCurves(curves));
            if (metrics.Contains("alpha_entropy")) page.Chart(DoReMiCharts.AlphaEntropy(curves));
            var withProxy = Enumerable.Range(0, (int)curves.Rows.Count).Where(r => (string)curves["metric"][r] == "alpha_entropy").Select(r => (string)curves["arm"][r]).Distinct();
            foreach (var arm in withProxy)
            {
                page.Chart(DoReMiCharts.Alpha(curves, arm));
                page.Chart(DoReMiCharts.Lambda(curves, arm));
            }
        }
        var rounds = Path.Combine(tables, "round_weights.parquet");
        if (File.Exists(rounds))
        {
            var table = DataFrameParquet.Read(rounds);
            foreach (var arm in table["arm"].Cast<string>().Distinct()) page.Chart(DoReMiCharts.RoundWeights(table, arm));
        }
    }

    /// <summary>"uniform" when the ablation has that arm, else its first arm.</summary>
    static string Baseline(DataFrame runs) => runs["arm"].Cast<string>().Contains("uniform") ? "uniform" : (string)runs["arm"][0];

#pragma warning disable CA2255 // registers the section when the kit's assembly loads, as spec kinds do
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => ReportSections.Register(Append);
}
