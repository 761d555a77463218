using System.CommandLine;
using ResearchKit.Cli;
using Spectre.Console;

// Logs and pipes get wide tables instead of Spectre's 80-column wrapping.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var bench = BenchTokenizeCommand.Create();
bench.Subcommands.Add(BenchTrainCommand.Create());
var root = new RootCommand("rk: ResearchKit, a toolkit for research on LLM pretraining data")
{
    EnvCommand.Create(),
    CorpusCommands.Create(), TokenizeCommand.Create(), bench,
    TrainCommand.Create(),
    AblateCommands.Create(),
    NotebookCommands.Create(),
    ReportCommand.Create(),
    GalleryCommands.Create(),
};
return await CliRunner.InvokeAsync(root, args);
