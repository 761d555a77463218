namespace ResearchKit;

/// <summary>
/// Things the kit goes on with but a user must hear about (duplicate document ids, skipped subfolders, a metadata
/// prefix that reached only part of a corpus). The library never prints: <c>rk</c> installs a handler that writes each
/// to stderr; tests and notebooks capture them for a scope of work.
/// </summary>
public static class KitWarnings
{
    static readonly AsyncLocal<Action<string>?> Scoped = new();
    static Action<string>? _handler;

    /// <summary>Where warnings go when no <see cref="Capture"/> scope is active (rk: stderr).</summary>
    public static void SetHandler(Action<string>? handler) => _handler = handler;

    /// <summary>Sends the warnings raised by work on this async flow (and the tasks it starts) to <paramref name="handler"/> until disposed.</summary>
    public static IDisposable Capture(Action<string> handler)
    {
        var previous = Scoped.Value;
        Scoped.Value = handler;
        return new Restore(() => Scoped.Value = previous);
    }

    internal static void Report(string message) => (Scoped.Value ?? _handler)?.Invoke(message);

    sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
