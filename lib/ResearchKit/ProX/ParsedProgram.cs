namespace ResearchKit.ProX;

/// <summary>What <see cref="ProgramParser"/> read: the well-formed calls in program order and an error for each line
/// it could not read (syntax only; whether a call is known and well-typed is checked when it runs).</summary>
public sealed record ParsedProgram(IReadOnlyList<ProgramCall> Calls, IReadOnlyList<ProgramError> Errors);
