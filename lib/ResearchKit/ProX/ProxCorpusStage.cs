using ResearchKit.Corpus;
using ResearchKit.Experiments;
using ResearchKit.Pipeline;

namespace ResearchKit.ProX;

/// <summary>
/// A corpus with ProX material in it, so refinement has something to do: the documents of <paramref name="corpus"/>
/// (data-samples/sample.parquet: 14 domains including mail-ham and mail-spam, the document-level labels) followed by
/// the line-labelled documentation pages of <paramref name="pages"/> (data-samples/prox-lines.parquet), whose domains
/// get <paramref name="pageDomainSuffix"/> ("python-docs-pages") so per-domain results tell pages with their
/// navigation from the main-text documents of the same manuals. Documents of <paramref name="corpus"/> whose URL is
/// a page's are left out, so no text is in the corpus twice (split across train and validation).
/// </summary>
public sealed class ProxCorpusStage(string corpus, string pages, string pageDomainSuffix = "-pages") : Stage<CorpusArtifact>
{
    const string FileName = "corpus.parquet";

    public override string Name => "prox-corpus";
    public override object KeyConfig => new { PageDomainSuffix = pageDomainSuffix };
    public override IReadOnlyList<string> Corpora => [corpus, pages];
    public override string Describe() => $"{corpus} with the labelled pages of {pages}";

    public override void Run(StageContext context)
    {
        var pageDocuments = CorpusReader.Read(pages).Select(d => d with { Domain = d.Domain + pageDomainSuffix }).ToList();
        var pageUrls = pageDocuments.Where(d => d.Url is not null).Select(d => d.Url!).ToHashSet(StringComparer.Ordinal);
        long overlapping = 0;
        IEnumerable<Document> All()
        {
            foreach (var d in CorpusReader.Read(corpus))
            {
                if (d.Url is not null && pageUrls.Contains(d.Url)) { overlapping++; continue; }
                yield return d;
            }
            foreach (var d in pageDocuments) yield return d;
        }
        context.Stats["documents"] = CorpusWriter.Write(context.PathOf(FileName), All(), context.Progress);
        context.Stats["pages"] = pageDocuments.Count;
        context.Stats["left_out_same_url"] = overlapping;
    }

    public override CorpusArtifact Load(string directory) => new(System.IO.Path.Combine(directory, FileName));
}
