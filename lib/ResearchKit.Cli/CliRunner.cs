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
        catch (Exception e) when (Describe(e) is { } message)
        {
            // stderr, unwrapped: logs and scripts get the whole message (file, record, field) on one line.
            Console.Error.WriteLine(Console.IsErrorRedirected ? $"error: {message}" : $"\u001b[31merror:\u001b[0m {message}");
            return 1;
        }
    }

    /// <summary>The one line for a known failure; null for a bug (which keeps its stack trace).</summary>
    static string? Describe(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        DataFormatException or TorchRuntimeException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            or ArgumentException or InvalidOperationException or DiskFullException => e.Message,
        UnauthorizedAccessException => $"{e.Message.TrimEnd('.')}: check the permissions of that file or folder (ls -l), or use another path",
        IOException => $"{e.Message.TrimEnd('.')} (an input/output error: check the path, the disk and the permissions)",
        _ => null,
    };
}
