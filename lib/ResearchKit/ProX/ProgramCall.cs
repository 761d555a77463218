namespace ResearchKit.ProX;

/// <summary>One argument of a call: positional when <see cref="Name"/> is null, else keyword.</summary>
public sealed record ProgramArgument(string? Name, ProgramValue Value)
{
    public override string ToString() => Name is null ? Value.ToString() : $"{Name}={Value}";
}

/// <summary>One parsed call, <c>remove_lines(line_start=3, line_end=5)</c>, on 1-based program line <see cref="Line"/>.</summary>
public sealed record ProgramCall(string Function, IReadOnlyList<ProgramArgument> Arguments, int Line)
{
    public override string ToString() => $"{Function}({string.Join(", ", Arguments)})";
}
