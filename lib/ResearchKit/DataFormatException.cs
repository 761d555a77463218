namespace ResearchKit;

/// <summary>Bad input: names the file, the record (line or row) and the field at fault.</summary>
public sealed class DataFormatException : Exception
{
    public string File { get; }
    public long? Record { get; }
    public string? Field { get; }

    public DataFormatException(string file, long? record, string? field, string problem, Exception? inner = null)
        : base(Describe(file, record, field, problem), inner)
    {
        File = file; Record = record; Field = field;
    }

    static string Describe(string file, long? record, string? field, string problem) =>
        $"{file}" + (record is { } r ? $": record {r}" : "") + (field is null ? "" : $", field '{field}'") + $": {problem}";
}
