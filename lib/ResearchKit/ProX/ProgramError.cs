namespace ResearchKit.ProX;

/// <summary>One counted error of a program: the 1-based program line it came from (0 when it concerns the whole
/// program) and why.</summary>
public sealed record ProgramError(int Line, string Reason)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Reason}" : Reason;
}
