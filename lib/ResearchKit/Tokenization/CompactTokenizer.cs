using System.Text.Json;
using System.Text.Json.Nodes;

namespace ResearchKit.Tokenization;

/// <summary>
/// Wraps a tokenizer so that only the ids a corpus actually uses get (dense) ids: 0..K-1 in base-id order, then
/// end-of-text (K) and unknown (K+1), so a tiny model needs an embedding of K+2 rows instead of ~100k. An id the
/// corpus never used encodes as unknown, which decodes to U+FFFD; build it from the whole corpus you tokenize to
/// make that impossible. Serialised as JSON (<see cref="ToJson"/>), stored with every token dataset made with it.
/// </summary>
public sealed class CompactTokenizer : TextTokenizer
{
    readonly TextTokenizer _base;
    readonly int[] _toBase;                        // dense id -> base id (ascending)
    readonly Dictionary<int, int> _fromBase;       // base id -> dense id

    CompactTokenizer(TextTokenizer baseTokenizer, int[] usedBaseIds)
    {
        _base = baseTokenizer;
        _toBase = usedBaseIds;
        _fromBase = new Dictionary<int, int>(usedBaseIds.Length);
        for (int i = 0; i < usedBaseIds.Length; i++) _fromBase[usedBaseIds[i]] = i;
    }

    /// <summary>Collects the ids <paramref name="baseTokenizer"/> gives the texts (on all cores).</summary>
    public static CompactTokenizer Build(TextTokenizer baseTokenizer, IEnumerable<string> texts, IProgress<WorkProgress>? progress = null)
    {
        var used = new bool[baseTokenizer.VocabSize];
        long done = 0;
        foreach (var ids in OrderedParallel.Select(texts, baseTokenizer.Encode, t => t.Length))
        {
            foreach (var id in ids) used[id] = true;
            if (++done % 1000 == 0) progress?.Report(new WorkProgress("collect vocabulary", done));
        }
        used[baseTokenizer.EndOfText] = false;    // end-of-text has its own compact id
        return new CompactTokenizer(baseTokenizer, Enumerable.Range(0, used.Length).Where(i => used[i]).ToArray());
    }

    /// <summary>The compaction of <paramref name="baseTokenizer"/> to the ids flagged in <paramref name="used"/>
    /// (end-of-text is ignored: it always gets its own compact id). What <see cref="Build"/> makes from texts,
    /// made here from ids already counted (a merge of token shards).</summary>
    internal static CompactTokenizer FromUsedIds(TextTokenizer baseTokenizer, bool[] used) =>
        new(baseTokenizer, Enumerable.Range(0, used.Length).Where(i => used[i] && i != baseTokenizer.EndOfText).ToArray());

    /// <summary>The compact id of a base id (end-of-text to end-of-text, ids the corpus never used to unknown).</summary>
    internal int CompactId(int baseId) => baseId == _base.EndOfText ? EndOfText : _fromBase.TryGetValue(baseId, out var d) ? d : Unknown;

    public TextTokenizer Base => _base;
    public int UsedIds => _toBase.Length;
    public int Unknown => _toBase.Length + 1;

    public override string Name => $"{_base.Name}/compact";
    public override int VocabSize => _toBase.Length + 2;
    public override int EndOfText => _toBase.Length;

    /// <summary>The base ids' byte lengths; end-of-text 0, unknown 3 (it decodes to U+FFFD).</summary>
    public override int[] TokenByteLengths()
    {
        var baseLengths = _base.TokenByteLengths();
        return [.. _toBase.Select(b => baseLengths[b]), 0, 3];
    }

    public override int[] Encode(string text)
    {
        var ids = _base.Encode(text);
        for (int i = 0; i < ids.Length; i++) ids[i] = _fromBase.TryGetValue(ids[i], out var d) ? d : Unknown;
        return ids;
    }

    public override string Decode(ReadOnlySpan<int> ids)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<int>(ids.Length);
        foreach (var id in ids)
        {
            if ((uint)id >= (uint)VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the compact vocabulary of {VocabSize}");
            if (id == Unknown) { text.Append(_base.Decode(run.ToArray())).Append('\uFFFD'); run.Clear(); }
            else run.Add(id == EndOfText ? _base.EndOfText : _toBase[id]);
        }
        return text.Append(_base.Decode(run.ToArray())).ToString();
    }

    public string ToJson() => new JsonObject
    {
        ["name"] = Name, ["vocab_size"] = VocabSize, ["end_of_text"] = EndOfText,
        ["compact_of"] = JsonNode.Parse(TextTokenizers.Describe(_base)),
        ["base_ids"] = new JsonArray(_toBase.Select(i => (JsonNode)i).ToArray()),
    }.ToJsonString();

    public static CompactTokenizer FromJson(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("compact tokenizer description is not a JSON object");
        var baseTokenizer = TextTokenizers.FromDescription(node["compact_of"]?.ToJsonString() ?? throw new JsonException("no 'compact_of'"));
        var ids = node["base_ids"]?.AsArray().Select(n => n!.GetValue<int>()).ToArray() ?? throw new JsonException("no 'base_ids'");
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)baseTokenizer.VocabSize || (i > 0 && ids[i] <= ids[i - 1]) || ids[i] == baseTokenizer.EndOfText)
                throw new JsonException($"base_ids[{i}] = {ids[i]} is not an ascending non-special id of {baseTokenizer.Name}");
        return new CompactTokenizer(baseTokenizer, ids);
    }
}
