using System.CommandLine;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;
using ResearchKit.Recipes;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk ablate [name] [--preset p] [--seeds n] [--out dir] [--dry-run] [--rerun]</c>: runs a named ablation
/// through the stage cache; without a name, lists them.</summary>
static class AblateCommands
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "ablation to run; omit to list the registered ones", Arity = ArgumentArity.ZeroOrOne };
        var preset = new Option<string>("--preset") { Description = $"preset of the ablation's base config: {PresetList()}", DefaultValueFactory = _ => "tiny" };
        var output = new Option<string>("--out", "--results") { Description = "results directory: the ablation writes <out>/<name>/, stages are cached in <out>/stages/ (or $RK_STAGES)", DefaultValueFactory = _ => "results" };
        var seeds = new Option<int?>("--seeds") { Description = "seeds per arm (default: the ablation's, e.g. 3 at tiny)" };
        var arms = new Option<string[]>("--arms") { Description = "run only these arms (comma- or space-separated; default: all)", AllowMultipleArgumentsPerToken = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "list the stages a run needs, which are cached and which would be computed, and exit" };
        var rerun = new Option<bool>("--rerun") { Description = "recompute every stage even when a finished one has the same key" };
        var corpus = new Option<string>("--corpus") { Description = "corpus file, directory or glob", DefaultValueFactory = _ => RecipeCatalog.DefaultCorpus };
        var cmd = new Command("ablate", "Run a named ablation: every arm × seed as cached stages, results with 95% intervals") { name, preset, output, seeds, arms, dryRun, rerun, corpus };
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(name) is not { } ablationName)
            {
                var list = new Table().AddColumns("ablation", "presets", "seeds", "arms", "description");
                foreach (var a in RecipeCatalog.All(parse.GetValue(corpus)!))
                    list.AddRow(Markup.Escape(a.Name), string.Join(", ", a.Presets), a.SeedsFor("tiny").ToString(), Markup.Escape(string.Join(", ", a.Arms)), Markup.Escape(a.Description));
                AnsiConsole.Write(list);
                return 0;
            }
            var ablation = RecipeCatalog.Find(ablationName, parse.GetValue(corpus)!);
            var chosen = parse.GetValue(arms) is { Length: > 0 } picked ? picked.SelectMany(x => x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray() : null;
            var options = new AblationOptions(parse.GetValue(seeds), parse.GetValue(rerun), chosen);
            var results = parse.GetValue(output)!;
            OutputFolder.Require(results, "--out");
            if (parse.GetValue(dryRun))
            {
                var plan = ablation.PlanStages(parse.GetValue(preset)!, results, options);
                var table = new Table().AddColumns("stage", "status", "used by", "what");
                foreach (var s in plan)
                    table.AddRow(Markup.Escape(s.Stage.ToString()!), s.Status switch { StageStatus.Cached => "[green]cached[/]", StageStatus.Partial => "[yellow]partial: resumes[/]", _ => "compute" },
                        Markup.Escape(s.UsedBy.Count > 3 ? $"{string.Join(", ", s.UsedBy.Take(3))} +{s.UsedBy.Count - 3}" : string.Join(", ", s.UsedBy)), Markup.Escape(s.Stage.Describe()));
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"{plan.Count} stages: {plan.Count(s => s.Status == StageStatus.Cached)} cached, {plan.Count(s => s.Status != StageStatus.Cached)} to compute; store {ArtifactStore.For(results).Root}");
                return 0;
            }
            var outcome = ConsoleProgress.Run(p => ablation.Run(parse.GetValue(preset)!, results, options, p));
            AnsiConsole.Write(ToTable(outcome.Results));
            AnsiConsole.MarkupLineInterpolated($"computed {outcome.Computed.Count} stage(s), reused {outcome.Cached.Count} from the cache; results in [bold]{outcome.Directory}[/]");
            return 0;
        });
        return cmd;
    }

    /// <summary>Every preset any registered ablation has, with what it is for where known: "smoke (seconds; tests), tiny (CPU, minutes), gpu (CUDA)".</summary>
    static string PresetList()
    {
        var known = new Dictionary<string, string> { ["smoke"] = "seconds; tests and CI", ["tiny"] = "CPU, minutes", ["gpu"] = "CUDA, GPT-2-small shapes" };
        var presets = RecipeCatalog.All().SelectMany(a => a.Presets).Distinct()
            .OrderBy(p => p switch { "smoke" => 0, "tiny" => 1, "gpu" => 2, _ => 3 }).ThenBy(p => p, StringComparer.Ordinal);
        return string.Join(", ", presets.Select(p => known.TryGetValue(p, out var what) ? $"{p} ({what})" : p)) + "; `rk ablate` lists each ablation's own";
    }

    /// <summary>Metrics as rows and arms as columns (arms are few, metrics many): mean ± 95% interval over seeds.</summary>
    static Table ToTable(DataFrame results)
    {
        var table = new Table().AddColumn("metric");
        var arms = results["arm"].Cast<string>().ToArray();
        foreach (var arm in arms) table.AddColumn(Markup.Escape(arm), c => c.RightAligned());
        table.AddRow(["seeds", .. Enumerable.Range(0, arms.Length).Select(r => results["seeds"][r]?.ToString() ?? "")]);
        foreach (var column in results.Columns.Where(c => c.Name is not "arm" and not "seeds" && !c.Name.EndsWith("_std") && !c.Name.EndsWith("_ci95")))
        {
            var ci = results.Columns.IndexOf(column.Name + "_ci95") is int i and >= 0 ? results.Columns[i] : null;
            table.AddRow([Markup.Escape(column.Name), .. Enumerable.Range(0, arms.Length).Select(r =>
                column[r] is double d ? ci?[r] is double h ? $"{d:G5} ± {h:G2}" : d.ToString("G5") : "")]);
        }
        return table;
    }
}
