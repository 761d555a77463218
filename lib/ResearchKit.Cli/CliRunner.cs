using System.CommandLine;
using ResearchKit.Runtime;

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
            // stderr, unwrapped: logs and scripts get the whole message (file, record, field) on one line.
            Console.Error.WriteLine(Console.IsErrorRedirected ? $"error: {e.Message}" : $"\u001b[31merror:\u001b[0m {e.Message}");
            return 1;
        }
    }
}
