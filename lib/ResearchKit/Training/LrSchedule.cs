namespace ResearchKit.Training;

public enum ScheduleKind { Cosine, WarmupStableDecay, Constant }

/// <summary>
/// Learning rate as a function of the step (0-based, the rate used for that step's update), as Hugging Face
/// schedules do: linear warmup <c>peak·t/warmup</c>, then
/// <list type="bullet">
/// <item>Cosine (MeCo's min-lr-bounded cosine): <c>peak·(m + (1−m)·½(1+cos(π·p)))</c>, <c>p = (t−warmup)/(total−warmup)</c>;</item>
/// <item>WarmupStableDecay: peak until the last <see cref="DecayFraction"/> of steps, then linear down to <c>m·peak</c>;</item>
/// <item>Constant: peak.</item>
/// </list>
/// m = <see cref="MinLrRatio"/>. A phase switch (MeCo cooldown) keeps this schedule: no re-warmup.
/// </summary>
public sealed record LrSchedule(ScheduleKind Kind = ScheduleKind.Cosine, int WarmupSteps = 0, double MinLrRatio = 0.1, double DecayFraction = 0.2)
{
    public double At(int step, int totalSteps, double peak)
    {
        if (step < WarmupSteps) return peak * step / WarmupSteps;
        switch (Kind)
        {
            case ScheduleKind.Cosine:
                double p = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, totalSteps - WarmupSteps), 0, 1);
                return peak * (MinLrRatio + (1 - MinLrRatio) * 0.5 * (1 + Math.Cos(Math.PI * p)));
            case ScheduleKind.WarmupStableDecay:
                int decaySteps = (int)Math.Round(totalSteps * DecayFraction);
                int decayStart = totalSteps - decaySteps;
                if (step < decayStart || decaySteps == 0) return peak;
                double left = Math.Clamp((double)(totalSteps - step) / decaySteps, 0, 1);
                return peak * (MinLrRatio + (1 - MinLrRatio) * left);
            default:
                return peak;
        }
    }
}
