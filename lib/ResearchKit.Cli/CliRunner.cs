using System.CommandLine;
using ResearchKit.Runtime;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>Runs the command line: known failures (bad input, missing libtorch) become one red line and exit 1.</summary>
static class CliRunner
{
    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        try
        {
            // The default handler would print a stack trace before the catch below could see the exception.
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is DataFormatException or TorchRuntimeException or FileNotFoundException
                                      or DirectoryNotFoundException or InvalidDataException or ArgumentException or InvalidOperationException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }
}
