using System.CommandLine;
using ResearchKit.Experiments;
using ResearchKit.Notebooks;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk gallery add|check</c>: the committed results gallery (docs/results) of method notebooks' last full runs.</summary>
static class GalleryCommands
{
    public static Command Create()
    {
        var galleryOption = () => new Option<string>("--gallery") { Description = "the gallery folder", DefaultValueFactory = _ => ResultsGallery.DefaultFolder };

        var notebook = new Argument<FileInfo>("executed-notebook") { Description = "an .ipynb written by `rk notebook run`" };
        var recipe = new Option<string[]>("--recipe") { Description = "repository path (file or folder) of the method's recipe; changes to it mark the entry stale (repeatable)" };
        var seeds = new Option<string?>("--seeds") { Description = "seeds per arm (default: the run's 'seeds' parameter, else 1)" };
        var preset = new Option<string?>("--preset") { Description = "preset (default: the run's 'preset' parameter)" };
        var addGallery = galleryOption();
        var add = new Command("add", "Add (or replace) a notebook's entry: rendered HTML, chart PNGs, command, commit, date, machine, preset, seeds, wall time")
            { notebook, recipe, seeds, preset, addGallery };
        add.SetAction(parse =>
        {
            var path = parse.GetValue(notebook)!.FullName;
            if (!File.Exists(path)) throw new FileNotFoundException($"notebook not found: {path}");
            var root = GitRepository.Root(Environment.CurrentDirectory) ?? Environment.CurrentDirectory;
            var entry = ResultsGallery.Add(path, Path.GetFullPath(parse.GetValue(addGallery)!), root,
                new GalleryAddOptions(parse.GetValue(recipe), parse.GetValue(seeds), parse.GetValue(preset)));
            if (entry.Provenance.LocalChanges == true)
                AnsiConsole.MarkupLine("[yellow]warning:[/] the run had uncommitted changes: commit first, then run, so the entry names the code it ran");
            AnsiConsole.MarkupLineInterpolated($"added {entry.Name} ({entry.Charts.Count} chart pictures) to {parse.GetValue(addGallery)}; commit the folder");
            return 0;
        });

        var checkGallery = galleryOption();
        var check = new Command("check", "Warn about entries made before the last change to their notebook or recipe (always exits 0)") { checkGallery };
        check.SetAction(parse =>
        {
            var root = GitRepository.Root(Environment.CurrentDirectory) ?? Environment.CurrentDirectory;
            var folder = Path.GetFullPath(parse.GetValue(checkGallery)!);
            var warnings = ResultsGallery.Check(folder, root);
            foreach (var w in warnings) Console.Error.WriteLine($"warning: stale gallery entry {w}");
            Console.WriteLine($"{ResultsGallery.Entries(folder).Count} gallery entries, {warnings.Count} stale or undetermined");
            return 0;
        });
        var readmeGallery = galleryOption();
        var readme = new Command("readme", "Rewrite the gallery's README.md from its entries (after removing one by hand)") { readmeGallery };
        readme.SetAction(parse =>
        {
            var folder = Path.GetFullPath(parse.GetValue(readmeGallery)!);
            ResultsGallery.WriteReadme(folder);
            AnsiConsole.MarkupLineInterpolated($"wrote {Path.Combine(folder, ResultsGallery.Readme)}");
            return 0;
        });
        return new Command("gallery", "The results gallery: method notebooks' last full runs, committed with how they were made") { add, check, readme };
    }
}
