using System.CommandLine;
using Microsoft.Data.Analysis;
using ResearchKit.Experiments;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk ablate [name] [--preset p] [--out dir] [--rerun]</c>: runs a named ablation (cached per arm); without a name, lists them.</summary>
static class AblateCommands
{
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "ablation to run; omit to list the registered ones", Arity = ArgumentArity.ZeroOrOne };
        var preset = new Option<string>("--preset") { Description = $"preset of the ablation's base config: {PresetList()}", DefaultValueFactory = _ => "tiny" };
        // --out like every other command; --results, the name it had first, still works.
        var results = new Option<string>("--out", "--results") { Description = "results directory; the ablation writes to <out>/<name>/", DefaultValueFactory = _ => "results" };
        var rerun = new Option<bool>("--rerun") { Description = "recompute every arm even when a cached result has the same config hash" };
        var corpus = new Option<string>("--corpus") { Description = "corpus file, directory or glob", DefaultValueFactory = _ => AblationCatalog.DefaultCorpus };
        var cmd = new Command("ablate", "Run a named ablation: each arm's config is hashed and finished arms are reused") { name, preset, results, rerun, corpus };
        cmd.SetAction(parse =>
        {
            if (parse.GetValue(name) is not { } ablationName)
            {
                var list = new Table().AddColumns("ablation", "presets", "arms", "description");
                foreach (var a in AblationCatalog.All(parse.GetValue(corpus)!))
                    list.AddRow(Markup.Escape(a.Name), string.Join(", ", a.Presets), Markup.Escape(string.Join(", ", a.Arms)), Markup.Escape(a.Description));
                AnsiConsole.Write(list);
                return 0;
            }
            var ablation = AblationCatalog.Find(ablationName, parse.GetValue(corpus)!);
            var outcome = ConsoleProgress.Run(p => ablation.Run(parse.GetValue(preset)!, parse.GetValue(results)!, p, rerun: parse.GetValue(rerun)));
            AnsiConsole.Write(ToTable(outcome.Results));
            AnsiConsole.MarkupLineInterpolated($"computed {outcome.Computed.Count} arm(s), reused {outcome.Cached.Count} from cache; results in [bold]{outcome.Directory}[/]");
            return 0;
        });
        return cmd;
    }

    /// <summary>Every preset any registered ablation has, with what it is for where known: "smoke (seconds; tests), tiny (CPU, minutes), gpu (CUDA)".</summary>
    static string PresetList()
    {
        var known = new Dictionary<string, string> { ["smoke"] = "seconds; tests and CI", ["tiny"] = "CPU, minutes", ["gpu"] = "CUDA, GPT-2-small shapes" };
        var presets = AblationCatalog.All().SelectMany(a => a.Presets).Distinct()
            .OrderBy(p => p switch { "smoke" => 0, "tiny" => 1, "gpu" => 2, _ => 3 }).ThenBy(p => p, StringComparer.Ordinal);
        return string.Join(", ", presets.Select(p => known.TryGetValue(p, out var what) ? $"{p} ({what})" : p)) + "; `rk ablate` lists each ablation's own";
    }

    /// <summary>Metrics as rows and arms as columns: arms are few, metrics many.</summary>
    static Table ToTable(DataFrame results)
    {
        var table = new Table().AddColumn("metric");
        var arms = results["arm"].Cast<string>().ToArray();
        foreach (var arm in arms) table.AddColumn(Markup.Escape(arm), c => c.RightAligned());
        foreach (var column in results.Columns.Where(c => c.Name != "arm"))
            table.AddRow([Markup.Escape(column.Name), .. Enumerable.Range(0, arms.Length).Select(r => column[r] is double d ? d.ToString("G5") : "")]);
        return table;
    }
}
