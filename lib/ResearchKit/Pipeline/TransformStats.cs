using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;
using ResearchKit.Corpus;

namespace ResearchKit.Pipeline;

/// <summary>
/// What each pipeline step did, datatrove-style: per step the documents and characters that came in and went out,
/// documents modified, documents and characters dropped per reason, characters removed by edits per reason, and time.
/// Thread-safe, so a step may process documents in parallel. Characters are UTF-16 code units of <see cref="Document.Text"/>.
/// </summary>
public sealed class TransformStats
{
    sealed class StepCounters
    {
        public long DocumentsIn, DocumentsOut, DocumentsModified, CharactersIn, CharactersOut, Ticks;
    }

    readonly ConcurrentDictionary<string, StepCounters> _steps = new();
    readonly ConcurrentDictionary<(string Step, string Reason), (long Documents, long Characters)> _reasons = new();
    readonly ConcurrentQueue<string> _order = new();

    StepCounters Step(string step) => _steps.GetOrAdd(step, s => { _order.Enqueue(s); return new StepCounters(); });

    /// <summary>A document passed <paramref name="step"/>, possibly rewritten (<paramref name="output"/>).</summary>
    public void Kept(string step, Document input, Document output)
    {
        var c = Step(step);
        Interlocked.Increment(ref c.DocumentsIn);
        Interlocked.Increment(ref c.DocumentsOut);
        Interlocked.Add(ref c.CharactersIn, input.Text.Length);
        Interlocked.Add(ref c.CharactersOut, output.Text.Length);
        if (!ReferenceEquals(input, output) && input.Text != output.Text) Interlocked.Increment(ref c.DocumentsModified);
    }

    /// <summary>A document was dropped by <paramref name="step"/> for <paramref name="reason"/>.</summary>
    public void Dropped(string step, Document input, string reason)
    {
        var c = Step(step);
        Interlocked.Increment(ref c.DocumentsIn);
        Interlocked.Add(ref c.CharactersIn, input.Text.Length);
        _reasons.AddOrUpdate((step, reason), (1, input.Text.Length), (_, v) => (v.Documents + 1, v.Characters + input.Text.Length));
    }

    /// <summary>An edit inside a kept document removed <paramref name="characters"/> for <paramref name="reason"/>
    /// (e.g. a line filter's "no_terminal_punctuation"); counted with zero documents.</summary>
    public void Removed(string step, string reason, long characters)
    {
        Step(step);
        _reasons.AddOrUpdate((step, reason), (0, characters), (_, v) => (v.Documents, v.Characters + characters));
    }

    /// <summary>A document that <paramref name="step"/> kept is counted under <paramref name="reason"/> without being
    /// dropped (e.g. ProX's "lines_removed" with the characters removed, or "errors_kept_original").</summary>
    public void Noted(string step, string reason, long characters = 0)
    {
        Step(step);
        _reasons.AddOrUpdate((step, reason), (1, characters), (_, v) => (v.Documents + 1, v.Characters + characters));
    }

    public void AddTime(string step, TimeSpan elapsed) => Interlocked.Add(ref Step(step).Ticks, elapsed.Ticks);

    /// <summary>Adds another stats object's counts (e.g. from a shard) to this one.</summary>
    public void Merge(TransformStats other)
    {
        foreach (var name in other._order)
        {
            var o = other._steps[name];
            var c = Step(name);
            Interlocked.Add(ref c.DocumentsIn, o.DocumentsIn);
            Interlocked.Add(ref c.DocumentsOut, o.DocumentsOut);
            Interlocked.Add(ref c.DocumentsModified, o.DocumentsModified);
            Interlocked.Add(ref c.CharactersIn, o.CharactersIn);
            Interlocked.Add(ref c.CharactersOut, o.CharactersOut);
            Interlocked.Add(ref c.Ticks, o.Ticks);
        }
        foreach (var (key, value) in other._reasons)
            _reasons.AddOrUpdate(key, value, (_, v) => (v.Documents + value.Documents, v.Characters + value.Characters));
    }

    /// <summary>Steps in the order they first reported: step, documents_in, documents_out, documents_dropped,
    /// documents_modified, characters_in, characters_out, seconds.</summary>
    public DataFrame Steps()
    {
        var names = _order.ToArray();
        var c = names.Select(n => _steps[n]).ToArray();
        return new DataFrame(
            new StringDataFrameColumn("step", names),
            new Int64DataFrameColumn("documents_in", c.Select(x => x.DocumentsIn)),
            new Int64DataFrameColumn("documents_out", c.Select(x => x.DocumentsOut)),
            new Int64DataFrameColumn("documents_dropped", c.Select(x => x.DocumentsIn - x.DocumentsOut)),
            new Int64DataFrameColumn("documents_modified", c.Select(x => x.DocumentsModified)),
            new Int64DataFrameColumn("characters_in", c.Select(x => x.CharactersIn)),
            new Int64DataFrameColumn("characters_out", c.Select(x => x.CharactersOut)),
            new DoubleDataFrameColumn("seconds", c.Select(x => TimeSpan.FromTicks(x.Ticks).TotalSeconds)));
    }

    /// <summary>One row per (step, reason): documents dropped (or, for <see cref="Noted"/> reasons, counted) and
    /// characters removed for that reason, in step order then by reason.</summary>
    public DataFrame Reasons()
    {
        var steps = _order.ToArray();
        var rows = _reasons.OrderBy(r => Array.IndexOf(steps, r.Key.Step)).ThenBy(r => r.Key.Reason, StringComparer.Ordinal).ToArray();
        return new DataFrame(
            new StringDataFrameColumn("step", rows.Select(r => r.Key.Step)),
            new StringDataFrameColumn("reason", rows.Select(r => r.Key.Reason)),
            new Int64DataFrameColumn("documents", rows.Select(r => r.Value.Documents)),
            new Int64DataFrameColumn("characters", rows.Select(r => r.Value.Characters)));
    }

    /// <summary>The counts as JSON (a shard's stats file), read back by <see cref="FromJson"/> and combined with <see cref="Merge"/>.</summary>
    public JsonObject ToJson()
    {
        var steps = new JsonArray();
        foreach (var name in _order)
        {
            var c = _steps[name];
            steps.Add(new JsonObject
            {
                ["step"] = name, ["documents_in"] = c.DocumentsIn, ["documents_out"] = c.DocumentsOut, ["documents_modified"] = c.DocumentsModified,
                ["characters_in"] = c.CharactersIn, ["characters_out"] = c.CharactersOut, ["ticks"] = c.Ticks,
            });
        }
        var reasons = new JsonArray(_reasons.OrderBy(r => r.Key.Step, StringComparer.Ordinal).ThenBy(r => r.Key.Reason, StringComparer.Ordinal)
            .Select(r => (JsonNode)new JsonObject { ["step"] = r.Key.Step, ["reason"] = r.Key.Reason, ["documents"] = r.Value.Documents, ["characters"] = r.Value.Characters })
            .ToArray());
        return new JsonObject { ["steps"] = steps, ["reasons"] = reasons };
    }

    public static TransformStats FromJson(JsonObject json)
    {
        var stats = new TransformStats();
        foreach (var s in json["steps"]!.AsArray())
        {
            var c = stats.Step(s!["step"]!.GetValue<string>());
            c.DocumentsIn = s["documents_in"]!.GetValue<long>();
            c.DocumentsOut = s["documents_out"]!.GetValue<long>();
            c.DocumentsModified = s["documents_modified"]!.GetValue<long>();
            c.CharactersIn = s["characters_in"]!.GetValue<long>();
            c.CharactersOut = s["characters_out"]!.GetValue<long>();
            c.Ticks = s["ticks"]!.GetValue<long>();
        }
        foreach (var r in json["reasons"]!.AsArray())
            stats._reasons[(r!["step"]!.GetValue<string>(), r["reason"]!.GetValue<string>())] = (r["documents"]!.GetValue<long>(), r["characters"]!.GetValue<long>());
        return stats;
    }
}
