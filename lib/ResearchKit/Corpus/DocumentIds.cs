using System.IO.Hashing;
using System.Text;

namespace ResearchKit.Corpus;

/// <summary>
/// Duplicate document ids. The train/validation split hashes ids (<see cref="CorpusSplit"/>), so a repeated id (a
/// mapping that points the id at a non-unique column, a corpus concatenated twice) moves whole groups of documents to
/// one side: refused there. The ICLM orders name documents by position and refuse any repeat, naming its first clash
/// (<see cref="FirstRepeat"/>). Elsewhere duplicates are only reported. Ids are remembered as 64-bit hashes (8 bytes each).
/// </summary>
public static class DocumentIds
{
    /// <exception cref="DataFormatException">An id occurs twice; names the corpus, the id and how many repeat.</exception>
    public static void RequireUnique(IReadOnlyList<Document> documents, string corpus)
    {
        var (count, example) = Duplicates(documents);
        if (count > 0)
            throw new DataFormatException(corpus, null, "id", $"{count:N0} document id(s) repeat (e.g. '{example}'); the train/validation split hashes ids, " +
                                                              "so duplicates land together on one side: deduplicate the corpus, or map a unique id column " +
                                                              "(or derive ids from file and line)");
    }

    /// <summary>Passes the documents through and reports (<see cref="KitWarnings"/>) how many ids repeated once they are all read.</summary>
    public static IEnumerable<Document> WarnOnDuplicates(IEnumerable<Document> documents, string corpus)
    {
        var seen = new HashSet<ulong>();
        long repeated = 0;
        string? example = null;
        foreach (var d in documents)
        {
            if (!seen.Add(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(d.Id)))) { repeated++; example ??= d.Id; }
            yield return d;
        }
        if (repeated > 0)
            KitWarnings.Report($"{corpus}: {repeated:N0} document id(s) repeat (e.g. '{example}'); a split by id would put duplicates on one side, " +
                               "and per-document outputs cannot be told apart: deduplicate the corpus or map a unique id column");
    }

    /// <summary>The first document whose id an earlier one has, with that earlier one's position; null when the ids are
    /// unique. Callers that name both documents of the clash use it; each words its own refusal.</summary>
    internal static (int Earlier, int Repeat, string Id)? FirstRepeat(IReadOnlyList<Document> documents)
    {
        var firstById = new Dictionary<string, int>(documents.Count, StringComparer.Ordinal);
        for (int i = 0; i < documents.Count; i++)
            if (!firstById.TryAdd(documents[i].Id, i)) return (firstById[documents[i].Id], i, documents[i].Id);
        return null;
    }

    static (long Count, string? Example) Duplicates(IEnumerable<Document> documents)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long count = 0;
        string? example = null;
        foreach (var d in documents)
            if (!seen.Add(d.Id)) { count++; example ??= d.Id; }
        return (count, example);
    }
}
