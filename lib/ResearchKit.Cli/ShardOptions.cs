using System.CommandLine;
using ResearchKit.Corpus;
using ResearchKit.Pipeline;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary>Options of every sharded stage: which shard this process runs, and how finely one large file is cut.</summary>
sealed class ShardOptions
{
    readonly Option<string?> _shard = new("--shard") { Description = "run shard i of n (i/n, from 0; e.g. $SLURM_ARRAY_TASK_ID/16): writes parts under the output's shard directory; `rk merge` joins them" };
    readonly Option<double> _unitMb = new("--unit-mb") { Description = "plain JSONL files are cut into work units of this many MB (Parquet: one unit per row group; .zst: one per file)", DefaultValueFactory = _ => CorpusUnit.DefaultUnitBytes / (double)(1 << 20) };

    public void AddTo(Command c) { c.Options.Add(_shard); c.Options.Add(_unitMb); }

    public ShardSpec? Shard(ParseResult p) => p.GetValue(_shard) is { } s ? ShardSpec.Parse(s) : null;

    public long UnitBytes(ParseResult p)
    {
        double mb = p.GetValue(_unitMb);
        if (!(mb > 0)) throw new ArgumentException($"--unit-mb {mb}: must be positive");
        return Math.Max(1, (long)(mb * (1 << 20)));
    }

    /// <summary>One line about a shard that ran or was skipped, and what to do next.</summary>
    public static void Report(ShardOutcome outcome, ShardDirectory directory, string mergeTarget)
    {
        var s = outcome.Stats;
        string what = s["tokens"] is { } t ? $"{s["documents"]} documents, {t} tokens" : $"{s["documents"]} documents";
        if (outcome.Skipped) AnsiConsole.MarkupLineInterpolated($"shard {outcome.Shard} was already complete ({what}); skipped");
        else AnsiConsole.MarkupLineInterpolated($"shard {outcome.Shard}: {what} in {s["seconds"]} s -> {directory.Root}");
        var left = directory.Unfinished(outcome.Shard.Count);
        if (left.Count == 0) AnsiConsole.MarkupLineInterpolated($"all {outcome.Shard.Count} shards are complete: rk merge {mergeTarget}");
        else AnsiConsole.MarkupLineInterpolated($"{left.Count} of {outcome.Shard.Count} shards still to run ({ShardDirectory.Ranges(left)})");
    }
}
