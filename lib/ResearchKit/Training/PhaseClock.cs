using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>The parts of a training step the benchmark times.</summary>
public enum TrainPhase { Batch, ForwardLoss, Backward, Optimizer, HostSync }

/// <summary>
/// Splits wall time into <see cref="TrainPhase"/>s: each <see cref="Lap"/> charges the time since the previous one to
/// a phase. On CUDA, work is asynchronous, so an honest split needs a device synchronisation at every lap
/// (<paramref name="synchronize"/>), which itself slows the step: the benchmark measures throughput without it.
/// </summary>
public sealed class PhaseClock(Device device, bool synchronize)
{
    readonly long[] _ticks = new long[Enum.GetValues<TrainPhase>().Length];
    long _last = Stopwatch.GetTimestamp();

    /// <summary>Starts the next lap now (time before this is charged to nothing).</summary>
    public void Restart()
    {
        Synchronize();
        _last = Stopwatch.GetTimestamp();
    }

    public void Lap(TrainPhase phase)
    {
        Synchronize();
        long now = Stopwatch.GetTimestamp();
        _ticks[(int)phase] += now - _last;
        _last = now;
    }

    public double Seconds(TrainPhase phase) => _ticks[(int)phase] / (double)Stopwatch.Frequency;

    void Synchronize()
    {
        if (synchronize && device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
