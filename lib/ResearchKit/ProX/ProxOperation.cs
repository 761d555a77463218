namespace ResearchKit.ProX;

/// <summary>
/// A call checked against the ProX function set: the function exists and its arguments bind to its parameters
/// (positional or keyword) with the right types. Document level: <c>drop_doc()</c>, <c>keep_doc()</c>; chunk level:
/// <c>remove_lines(line_start: int, line_end: int)</c>, <c>normalize(source_str: str, target_str: str = "")</c>,
/// <c>skip_chunk()</c>, <c>keep_chunk()</c>.
/// </summary>
internal abstract record ProxOperation(int Line)
{
    public sealed record DropDoc(int Line) : ProxOperation(Line);
    public sealed record KeepDoc(int Line) : ProxOperation(Line);
    public sealed record SkipChunk(int Line) : ProxOperation(Line);
    public sealed record KeepChunk(int Line) : ProxOperation(Line);
    public sealed record RemoveLines(int Line, long Start, long End) : ProxOperation(Line);
    /// <summary>One argument means delete the source, as the reference reads <c>normalize("x")</c>.</summary>
    public sealed record Normalize(int Line, string Source, string Target) : ProxOperation(Line);

    public bool IsDocumentLevel => this is DropDoc or KeepDoc;

    enum Kind { Int, Str }

    sealed record Parameter(string Name, Kind Kind, ProgramValue? Default = null);

    static readonly Dictionary<string, Parameter[]> Signatures = new(StringComparer.Ordinal)
    {
        ["drop_doc"] = [],
        ["keep_doc"] = [],
        ["skip_chunk"] = [],
        ["keep_chunk"] = [],
        ["remove_lines"] = [new("line_start", Kind.Int), new("line_end", Kind.Int)],
        ["normalize"] = [new("source_str", Kind.Str), new("target_str", Kind.Str, new ProgramValue.Str(""))],
    };

    /// <summary>The operation, or null with the reason the call is not one.</summary>
    public static ProxOperation? Bind(ProgramCall call, out string? error)
    {
        error = null;
        if (!Signatures.TryGetValue(call.Function, out var parameters))
        {
            error = $"unknown function '{ProgramParser.Excerpt(call.Function)}' (known: {string.Join(", ", Signatures.Keys)})";
            return null;
        }
        var values = new ProgramValue?[parameters.Length];
        int positional = 0;
        foreach (var arg in call.Arguments)
        {
            int slot;
            if (arg.Name is null)
            {
                slot = positional++;
                if (slot >= parameters.Length)
                {
                    error = $"{call.Function}() takes {parameters.Length} argument{(parameters.Length == 1 ? "" : "s")} ({call.Arguments.Count} given)";
                    return null;
                }
            }
            else
            {
                slot = Array.FindIndex(parameters, p => p.Name == arg.Name);
                if (slot < 0)
                {
                    error = $"{call.Function}() has no argument '{ProgramParser.Excerpt(arg.Name)}'";
                    return null;
                }
            }
            if (values[slot] is not null)
            {
                error = $"{call.Function}() got two values for '{parameters[slot].Name}'";
                return null;
            }
            bool typed = parameters[slot].Kind == Kind.Int ? arg.Value is ProgramValue.Int : arg.Value is ProgramValue.Str;
            if (!typed)
            {
                error = $"{call.Function}(): '{parameters[slot].Name}' must be {(parameters[slot].Kind == Kind.Int ? "an int" : "a string")}, not {arg.Value.Kind}";
                return null;
            }
            values[slot] = arg.Value;
        }
        for (int k = 0; k < parameters.Length; k++)
        {
            values[k] ??= parameters[k].Default;
            if (values[k] is null)
            {
                error = $"{call.Function}() is missing argument '{parameters[k].Name}'";
                return null;
            }
        }
        return call.Function switch
        {
            "drop_doc" => new DropDoc(call.Line),
            "keep_doc" => new KeepDoc(call.Line),
            "skip_chunk" => new SkipChunk(call.Line),
            "keep_chunk" => new KeepChunk(call.Line),
            "remove_lines" => new RemoveLines(call.Line, ((ProgramValue.Int)values[0]!).Value, ((ProgramValue.Int)values[1]!).Value),
            _ => new Normalize(call.Line, ((ProgramValue.Str)values[0]!).Value, ((ProgramValue.Str)values[1]!).Value),
        };
    }
}
