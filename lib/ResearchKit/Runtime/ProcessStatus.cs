using System.Globalization;

namespace ResearchKit.Runtime;

/// <summary>Memory fields of a Linux process's <c>/proc/&lt;pid&gt;/status</c> (VmHWM, VmRSS, ...), for benchmarks.</summary>
public static class ProcessStatus
{
    /// <summary>A kB field in bytes, of this process or of <paramref name="pid"/>; 0 where there is no /proc, the
    /// process is gone or the field is absent.</summary>
    public static long Bytes(string field, int? pid = null)
    {
        try
        {
            foreach (var line in File.ReadLines(pid is { } p ? $"/proc/{p}/status" : "/proc/self/status"))
                if (line.Length > field.Length && line[field.Length] == ':' && line.StartsWith(field, StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return 0;
    }
}
