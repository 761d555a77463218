namespace ResearchKit.ProX;

/// <summary>
/// Bounds on the work one program may cause, so that any program text, however hostile, runs in time linear in the
/// program's and the document's size and never grows the document without bound. Past a limit the interpreter
/// counts an error and ignores the rest (or the offending call); it never throws.
/// </summary>
public sealed record ProgramLimits
{
    /// <summary>Characters of program text read; the rest is ignored with one error. The reference's chunk programs
    /// are at most 256 tokens per 1500-token chunk, far below this.</summary>
    public int MaxProgramChars { get; init; } = 1 << 20;

    /// <summary>Program lines read (one call per line); the rest is ignored with one error.</summary>
    public int MaxLines { get; init; } = 4096;

    /// <summary>Characters of one string argument; a longer one makes its call an error.</summary>
    public int MaxArgumentChars { get; init; } = 4096;

    /// <summary><c>normalize</c> calls executed per program (each scans the whole document); later ones are
    /// errors.</summary>
    public int MaxNormalizations { get; init; } = 256;

    /// <summary>The document may grow by normalizations to at most this multiple of its original length plus
    /// <see cref="MaxArgumentChars"/>; a normalize that would exceed it is refused as an error.</summary>
    public double MaxGrowth { get; init; } = 2.0;

    public static ProgramLimits Default { get; } = new();

    /// <summary>The longest text normalizations may produce from a document of <paramref name="originalLength"/>.</summary>
    public long MaxTextLength(int originalLength) =>
        Math.Min(int.MaxValue / 2, (long)(MaxGrowth * originalLength) + MaxArgumentChars);
}
