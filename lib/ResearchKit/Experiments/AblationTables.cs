using Microsoft.Data.Analysis;

namespace ResearchKit.Experiments;

/// <summary>The tables an ablation writes, built from every (arm, seed) result: per-seed rows, and per-arm summaries
/// over seeds (mean, standard deviation, 95% interval).</summary>
public static class AblationTables
{
    /// <summary>One row per (arm, seed): arm, seed, then one column per metric (null where a run lacks it).</summary>
    public static DataFrame Runs(IReadOnlyList<(string Arm, int Seed, ArmResult Result)> runs)
    {
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("arm", runs.Select(r => r.Arm)),
            new Int32DataFrameColumn("seed", runs.Select(r => r.Seed)),
        };
        foreach (var metric in runs.SelectMany(r => r.Result.Metrics.Keys).Distinct())
            columns.Add(new DoubleDataFrameColumn(metric, runs.Select(r => r.Result.Metrics.TryGetValue(metric, out var v) ? v : (double?)null)));
        return new DataFrame(columns);
    }

    /// <summary>One row per arm (first-seen order): arm, seeds, then per metric its mean, <c>_std</c> and <c>_ci95</c>.</summary>
    public static DataFrame Summary(DataFrame runs)
    {
        var arms = runs["arm"].Cast<string>().Distinct().ToList();
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("arm", arms),
            new Int32DataFrameColumn("seeds", arms.Select(a => runs["arm"].Cast<string>().Count(x => x == a))),
        };
        foreach (var metric in runs.Columns.Where(c => c.Name is not "arm" and not "seed").Select(c => c.Name))
        {
            var summaries = arms.Select(a => SeedValues(runs, a, metric) is { Count: > 0 } v ? SeedStatistics.Of(v) : (SeedSummary?)null).ToList();
            columns.Add(new DoubleDataFrameColumn(metric, summaries.Select(s => s?.Mean)));
            columns.Add(new DoubleDataFrameColumn(metric + "_std", summaries.Select(s => s?.Std)));
            columns.Add(new DoubleDataFrameColumn(metric + "_ci95", summaries.Select(s => s?.Ci95)));
        }
        return new DataFrame(columns);
    }

    /// <summary>The per-seed values of a metric for one arm (seeds that lack it left out).</summary>
    public static IReadOnlyList<double> SeedValues(DataFrame runs, string arm, string metric)
    {
        if (runs.Columns.IndexOf(metric) < 0) throw new ArgumentException($"no metric '{metric}' (the runs have: {string.Join(", ", runs.Columns.Select(c => c.Name))})", nameof(metric));
        var values = new List<double>();
        for (long r = 0; r < runs.Rows.Count; r++)
            if ((string)runs["arm"][r] == arm && runs[metric][r] is { } v) values.Add(Convert.ToDouble(v));
        return values;
    }

    /// <summary>Curves of every run: arm, seed, step, metric, value.</summary>
    public static DataFrame RunCurves(IReadOnlyList<(string Arm, int Seed, ArmResult Result)> runs)
    {
        var points = runs.SelectMany(r => r.Result.Curves.Select(c => (r.Arm, r.Seed, c))).ToList();
        return new DataFrame(
            new StringDataFrameColumn("arm", points.Select(p => p.Arm)),
            new Int32DataFrameColumn("seed", points.Select(p => p.Seed)),
            new Int64DataFrameColumn("step", points.Select(p => p.c.Step)),
            new StringDataFrameColumn("metric", points.Select(p => p.c.Metric)),
            new DoubleDataFrameColumn("value", points.Select(p => p.c.Value)));
    }

    /// <summary>Curves averaged over seeds: arm, step, metric, value.</summary>
    public static DataFrame MeanCurves(IReadOnlyList<(string Arm, int Seed, ArmResult Result)> runs)
    {
        var points = runs.SelectMany(r => r.Result.Curves.Select(c => (r.Arm, c)))
            .GroupBy(p => (p.Arm, p.c.Metric, p.c.Step))
            .Select(g => (g.Key.Arm, g.Key.Step, g.Key.Metric, Value: g.Average(p => p.c.Value))).ToList();
        return new DataFrame(
            new StringDataFrameColumn("arm", points.Select(p => p.Arm)),
            new Int64DataFrameColumn("step", points.Select(p => p.Step)),
            new StringDataFrameColumn("metric", points.Select(p => p.Metric)),
            new DoubleDataFrameColumn("value", points.Select(p => p.Value)));
    }

    /// <summary>A named table of every run, with arm and seed columns first.</summary>
    public static DataFrame RunTable(IEnumerable<(string Arm, int Seed, DataFrame Table)> tables)
    {
        DataFrame? combined = null;
        foreach (var (arm, seed, table) in tables)
        {
            var t = table.Clone();
            t.Columns.Insert(0, new Int32DataFrameColumn("seed", Enumerable.Repeat(seed, (int)t.Rows.Count)));
            t.Columns.Insert(0, new StringDataFrameColumn("arm", Enumerable.Repeat(arm, (int)t.Rows.Count)));
            if (combined is null) { combined = t; continue; }
            foreach (var row in t.Rows) combined.Append(row, inPlace: true);
        }
        return combined ?? throw new ArgumentException("no tables to combine");
    }

    /// <summary>A run table summarised over seeds: rows keyed by arm and the text and whole-number (int) columns; every
    /// other numeric column becomes its mean with <c>_std</c> and <c>_ci95</c>.</summary>
    public static DataFrame SummariseTable(DataFrame runTable)
    {
        var keys = runTable.Columns.Where(c => c.Name != "seed" && c is StringDataFrameColumn or PrimitiveDataFrameColumn<int>).Select(c => c.Name).ToList();
        var values = runTable.Columns.Where(c => c.Name != "seed" && !keys.Contains(c.Name) && c.IsNumericColumn()).Select(c => c.Name).ToList();
        var groups = new Dictionary<string, (object?[] Key, List<long> Rows)>();
        var order = new List<string>();
        for (long r = 0; r < runTable.Rows.Count; r++)
        {
            var key = keys.Select(k => runTable[k][r]).ToArray();
            var id = string.Join("\u001f", key.Select(k => k?.ToString() ?? "\u0000"));
            if (!groups.TryGetValue(id, out var g)) { groups[id] = g = (key, []); order.Add(id); }
            g.Rows.Add(r);
        }
        var columns = new List<DataFrameColumn>();
        for (int k = 0; k < keys.Count; k++)
        {
            var source = runTable[keys[k]];
            columns.Add(source is StringDataFrameColumn
                ? new StringDataFrameColumn(keys[k], order.Select(id => (string?)groups[id].Key[k]))
                : new Int32DataFrameColumn(keys[k], order.Select(id => (int?)groups[id].Key[k])));
        }
        foreach (var v in values)
        {
            var summaries = order.Select(id => groups[id].Rows.Select(r => runTable[v][r]).OfType<object>().Select(Convert.ToDouble).ToList())
                .Select(list => list.Count == 0 ? (SeedSummary?)null : SeedStatistics.Of(list)).ToList();
            columns.Add(new DoubleDataFrameColumn(v, summaries.Select(s => s?.Mean)));
            columns.Add(new DoubleDataFrameColumn(v + "_std", summaries.Select(s => s?.Std)));
            columns.Add(new DoubleDataFrameColumn(v + "_ci95", summaries.Select(s => s?.Ci95)));
        }
        return new DataFrame(columns);
    }
}
