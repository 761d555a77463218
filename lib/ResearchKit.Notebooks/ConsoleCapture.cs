using System.Text;

namespace ResearchKit.Notebooks;

/// <summary>Sends Console output written while a cell runs (on its thread or tasks it starts) to that cell's
/// outputs. Installed once; output from anything else still reaches the real console, so runs in parallel
/// (e.g. tests) do not see each other's text.</summary>
sealed class ConsoleCapture : TextWriter
{
    static readonly AsyncLocal<Action<string, string>?> Target = new();
    static readonly object Gate = new();
    static bool _installed;

    readonly TextWriter _fallback;
    readonly string _stream;

    ConsoleCapture(TextWriter fallback, string stream) { _fallback = fallback; _stream = stream; }

    public override Encoding Encoding => _fallback.Encoding;

    /// <summary>Routes this async flow's Console.Out / Console.Error to <paramref name="write"/>(stream, text) until disposed.</summary>
    public static IDisposable Begin(Action<string, string> write)
    {
        lock (Gate)
        {
            if (!_installed)
            {
                Console.SetOut(new ConsoleCapture(Console.Out, "stdout"));
                Console.SetError(new ConsoleCapture(Console.Error, "stderr"));
                _installed = true;
            }
        }
        var previous = Target.Value;
        Target.Value = write;
        return new Restore(previous);
    }

    /// <summary>Lets this async flow write to the real console until disposed (progress mirrored to the terminal
    /// must not become cell output).</summary>
    public static IDisposable Suspend()
    {
        var previous = Target.Value;
        Target.Value = null;
        return new Restore(previous);
    }

    sealed class Restore(Action<string, string>? previous) : IDisposable
    {
        public void Dispose() => Target.Value = previous;
    }

    public override void Write(char value) => Write(value.ToString());
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        if (Target.Value is { } write) write(_stream, value);
        else lock (_fallback) _fallback.Write(value);
    }

    public override void Flush() => _fallback.Flush();
}
