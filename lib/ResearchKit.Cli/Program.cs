using System.CommandLine;
using ResearchKit.Cli;

var root = new RootCommand("rk: ResearchKit, a toolkit for research on LLM pretraining data")
{
    EnvCommand.Create(),
    TrainCommands.Create(),
    BenchCommands.Create(),
};
return await CliRunner.InvokeAsync(root, args);
