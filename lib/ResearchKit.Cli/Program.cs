using System.CommandLine;
using ResearchKit.Cli;
using Spectre.Console;

// Logs and pipes get wide tables instead of Spectre's 80-column wrapping.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;
ResearchKit.KitWarnings.SetHandler(message =>
    Console.Error.WriteLine(Console.IsErrorRedirected ? $"warning: {message}" : $"\u001b[33mwarning:\u001b[0m {message}"));

var bench = BenchTokenizeCommand.Create();
bench.Subcommands.Add(BenchIclmCommand.Create());
bench.Subcommands.Add(BenchTrainCommand.Create());
bench.Subcommands.Add(BenchShardsCommand.Create());
bench.Subcommands.Add(BenchPrepareCommand.Create());
bench.Subcommands.Add(BenchProxCommand.Create());
bench.Subcommands.Add(BenchRefinerCommand.Create());
var root = new RootCommand("rk: ResearchKit, a toolkit for research on LLM pretraining data")
{
    EnvCommand.Create(),
    CorpusCommands.Create(), FilterCommand.Create(), ProxCommand.Create(), TokenizeCommand.Create(), MergeCommand.Create(), LaunchCommand.Create(), bench,
    TrainCommand.Create(), IclmCommands.Create(),
    ExportCommands.Export(), ExportCommands.Import(),
    AblateCommands.Create(),
    NotebookCommands.Create(),
    ReportCommand.Create(),
    GalleryCommands.Create(),
};
return await CliRunner.InvokeAsync(root, args);
