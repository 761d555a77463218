using System.CommandLine;
using ResearchKit.Cli;

var root = new RootCommand("rk: ResearchKit, a toolkit for research on LLM pretraining data")
{
    EnvCommand.Create(),
    CorpusCommands.Create(), TokenizeCommand.Create(), BenchTokenizeCommand.Create(),
    AblateCommands.Create(),
};
return await CliRunner.InvokeAsync(root, args);
