using System.Globalization;

namespace ResearchKit.ProX;

/// <summary>A literal argument of a program call: an integer, a string or a boolean (<c>True</c>/<c>False</c>).</summary>
public abstract record ProgramValue
{
    public sealed record Int(long Value) : ProgramValue
    {
        public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
    }

    public sealed record Str(string Value) : ProgramValue
    {
        public override string ToString() => ProgramText.Quote(Value);
    }

    public sealed record Bool(bool Value) : ProgramValue
    {
        public override string ToString() => Value ? "True" : "False";
    }

    /// <summary>"an int", "a string", "a boolean": for error messages.</summary>
    public string Kind => this switch { Int => "an int", Str => "a string", _ => "a boolean" };
}
