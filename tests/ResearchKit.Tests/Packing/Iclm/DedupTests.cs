using ResearchKit.Embeddings;
using ResearchKit.Packing.Iclm;

namespace ResearchKit.Tests.Packing.Iclm;

public class DedupTests
{
    static float[] Angle(double degrees) => [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180), 0f];

    [Fact]
    public void SemanticDedupKeepsTheFirstOfEachNearDuplicateGroup()
    {
        var e = EmbeddingMatrix.FromRows(
        [
            [1f, 0f, 0f],          // 0 A
            [0f, 1f, 0f],          // 1 B
            [1f, 0f, 0f],          // 2 exact duplicate of 0
            Angle(8),              // 3 cos 0.990 with A
            [0.1f, 0.995f, 0f],    // 4 cos 0.995 with B
            [0f, 0f, 1f],          // 5 C
        ]);
        var g = ExactKnn.Build(e, 3);
        var r = SemanticDedup.Run(g, 0.95);
        Assert.Equal([false, false, true, true, true, false], r.Removed);
        Assert.Equal([-1, -1, 0, 0, 1, -1], r.DuplicateOf);   // 3 matches 0 (kept), not 2 (removed)
        Assert.Equal([false, false, true, false, false, false], SemanticDedup.Run(g, 0.999).Removed);
        // Excluded documents neither go nor make others go.
        Assert.Equal([false, false, false, true, true, false], SemanticDedup.Run(g, 0.95, [false, false, true, false, false, false]).Removed);
    }

    [Fact]
    public void ADocumentIsNotRemovedForResemblingARemovedOne()
    {
        // a ~ b (cos 16° = 0.961), b ~ c (0.961), a vs c only 0.848: b goes, c stays.
        var g = ExactKnn.Build(EmbeddingMatrix.FromRows([Angle(0), Angle(16), Angle(32)]), 2);
        var r = SemanticDedup.Run(g, 0.95);
        Assert.Equal([false, true, false], r.Removed);
        Assert.Equal(1, r.RemovedCount);
    }

    [Fact]
    public void PairsAreFoundInEitherDirectionOfTheGraph()
    {
        // k = 1: doc 1's only neighbour is 2, but doc 0 lists 1 at 0.96: the reverse edge catches it.
        var g = new NeighbourGraph(3, 1, [1, 2, 1], [0.96f, 0.99f, 0.99f]);
        // Doc 2 resembles only doc 1, which was removed: it stays.
        var r = SemanticDedup.Run(g, 0.95);
        Assert.Equal([false, true, false], r.Removed);
        Assert.Equal([-1, 0, -1], r.DuplicateOf);
    }

    [Fact]
    public void LexicalJaccardOfCharacterTrigrams()
    {
        Assert.Equal(1.0 / 3, LexicalDedup.Jaccard("abcd", "abce"), 12);   // {abc, bcd} vs {abc, bce}
        Assert.Equal(1.0, LexicalDedup.Jaccard("same prefix" + new string('x', 200), "same prefix" + new string('x', 150) + "different tail"));
        Assert.True(double.IsNaN(LexicalDedup.Jaccard("ab", "")));   // 0/0
        // Code points, not UTF-16 units: three emoji are one 3-gram.
        Assert.Equal(1.0, LexicalDedup.Jaccard("😀😁😂", "😀😁😂"));
    }

    [Fact]
    public void LexicalDedupComparesWithThePreviouslyWrittenDocument()
    {
        var x = "The quick brown fox jumps over the lazy dog near the riverbank while the sun sets slowly behind the hills.";
        string[] texts = [x, x[..100] + " but the ending differs", "Completely unrelated text about compilers and linkers.", x, "a", "b", "xyz"];
        var r = LexicalDedup.Run([0, 1, 2, 3, 4, 5, 6], texts);
        // 1 repeats 0's first 100 characters; 3 repeats 0 too but follows 2, the last written; "b" after "a": 0/0, dropped
        // as the reference does; "xyz" after "a" shares nothing.
        Assert.Equal([false, true, false, false, false, true, false], r.Removed);
        Assert.Equal(0, r.DuplicateOf[1]);
        Assert.Equal(4, r.DuplicateOf[5]);
        // Any number of documents (the reference needed 32).
        Assert.Equal([false], LexicalDedup.Run([0], ["only one"]).Removed);
    }
}
