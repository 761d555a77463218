namespace ResearchKit.Training;

public enum ScheduleKind { Cosine, WarmupStableDecay, Constant, LinearWarmupExponential }

/// <summary>
/// Learning rate as a function of the step (0-based, the rate used for that step's update), as Hugging Face
/// schedules do: linear warmup <c>peak·t/warmup</c>, then
/// <list type="bullet">
/// <item>Cosine (MeCo's min-lr-bounded cosine): <c>peak·(m + (1−m)·½(1+cos(π·p)))</c>, <c>p = (t−warmup)/(total−warmup)</c>;</item>
/// <item>WarmupStableDecay: peak until the last <see cref="DecayFraction"/> of steps, then linear down to <c>m·peak</c>;</item>
/// <item>Constant: peak.</item>
/// <item>LinearWarmupExponential (DoReMi's reference runs, Xie et al. 2023): warmup from <see cref="ExponentialStartLr"/>,
/// <c>s + (peak−s)·t/warmup</c>, then <c>e + (peak−e)·γ^(t−warmup)</c> with <c>e = m·peak</c> and
/// <c>γ = exp(ln(1e−10/(peak−e))/(total−warmup))</c>, so the rate is within 1e−10 of e at the last step.</item>
/// </list>
/// m = <see cref="MinLrRatio"/>. A phase switch (MeCo cooldown) keeps this schedule: no re-warmup.
/// </summary>
public sealed record LrSchedule(ScheduleKind Kind = ScheduleKind.Cosine, int WarmupSteps = 0, double MinLrRatio = 0.1, double DecayFraction = 0.2)
{
    /// <summary>Where the LinearWarmupExponential warmup starts (the reference's <c>lr_start</c>).</summary>
    public const double ExponentialStartLr = 1e-7;

    public double At(int step, int totalSteps, double peak)
    {
        if (Kind == ScheduleKind.LinearWarmupExponential) return WarmupExponential(step, totalSteps, peak);
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

    double WarmupExponential(int step, int totalSteps, double peak)
    {
        if (step < WarmupSteps) return ExponentialStartLr + (peak - ExponentialStartLr) * step / WarmupSteps;
        double end = MinLrRatio * peak;
        if (peak <= end) return peak;
        double gamma = Math.Exp(Math.Log(1e-10 / (peak - end)) / Math.Max(1, totalSteps - WarmupSteps));
        return end + (peak - end) * Math.Pow(gamma, Math.Min(step, totalSteps) - WarmupSteps);
    }
}
