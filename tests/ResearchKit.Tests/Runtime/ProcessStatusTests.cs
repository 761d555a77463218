using ResearchKit.Runtime;

namespace ResearchKit.Tests.Runtime;

public class ProcessStatusTests
{
    [SkippableFact]
    public void ReadsMemoryFieldsInBytesAndZeroWhereThereAreNone()
    {
        Skip.IfNot(File.Exists("/proc/self/status"), "no /proc here");
        long rss = ProcessStatus.Bytes("VmRSS"), peak = ProcessStatus.Bytes("VmHWM");
        Assert.InRange(rss, 10L << 20, 64L << 30);                                  // a .NET test host: tens of MB at least
        Assert.True(peak >= rss, $"high-water mark {peak} below resident {rss}");
        Assert.Equal(rss, ProcessStatus.Bytes("VmRSS", Environment.ProcessId), (double)(64L << 20));   // same process, by pid
        Assert.Equal(0, ProcessStatus.Bytes("VmHW"));                                // a prefix of a field is not the field
        Assert.Equal(0, ProcessStatus.Bytes("VmHWM", int.MaxValue));                 // no such process
    }
}
