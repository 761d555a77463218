namespace ResearchKit.ProX;

/// <summary>How a ProX program text is read.</summary>
public enum ProxDialect
{
    /// <summary>The kit's grammar: positional and keyword arguments, escapes, comments; every malformed line or
    /// misused call is an error with a reason; <c>drop_doc()</c> the call drops a document.</summary>
    Strict,

    /// <summary>The reference implementation's string handling, quirks included (substring "drop" drops a document,
    /// keyword-only <c>remove_lines</c>, ...), so results can be compared with published ProX data. See
    /// <see cref="ReferenceProgramRunner"/> for the list.</summary>
    Reference,
}
