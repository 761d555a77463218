using ResearchKit.Packing;
using ResearchKit.Packing.Probes;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests.Packing.Strategies;

public class PackingMeasurementTests
{
    // A = [1 2 3], B = [4 5], C = [6 7 8 9], D = [10]; end-of-text 99; windows of 6.
    static InMemoryTokenDataset Data()
    {
        var d = new InMemoryTokenDataset(["x"], vocabSize: 100, endOfText: 99);
        foreach (var body in new int[][] { [1, 2, 3], [4, 5], [6, 7, 8, 9], [10] }) d.Add("x", body);
        return d;
    }

    static readonly PackerOptions Options = new(IncludePrefixes: false);

    [Fact]
    public void ConcatenationCutsDocumentsAcrossWindowsAndBestFitDoesNot()
    {
        // In order: [1 2 3 99 4 5][99 6 7 8 9 99][10 99 pad pad pad pad]: B is cut (its end-of-text goes on); 4 padding tokens of 18.
        var concat = PackingMeasurement.Of(() => new ConcatPacker(Data(), 6, 1, Options, shuffle: false));
        Assert.Equal(3, concat.Windows);
        Assert.Equal(0.25, concat.Metrics()["pack_truncation_rate"]);
        Assert.Equal(4 / 18.0, concat.Metrics()["pack_padding_waste"], 12);
        // Pieces with a target per window: A,B | B,C | D  -> 5 / 3.
        Assert.Equal(5 / 3.0, concat.DocumentsPerWindow, 12);
        // Targets (positions 1..5 that are trainable) with another document earlier in the window:
        // w0: 4 5 (2 of 5); w1: 6 7 8 9 99 (5 of 5); w2: 99 is D's own (0 of 1).  -> 7 / 11.
        Assert.Equal(7 / 11.0, concat.TargetsAfterBoundary, 12);

        // Best fit: [C], [A D], [B]: nothing cut; 1 + 0 + 3 padding tokens of 18.
        var bestFit = PackingMeasurement.Of(() => new BestFitPacker(Data(), 6, 1, Options));
        Assert.Equal(0, bestFit.Metrics()["pack_truncation_rate"]);
        Assert.Equal(4 / 18.0, bestFit.Metrics()["pack_padding_waste"], 12);
        Assert.Equal(4 / 3.0, bestFit.DocumentsPerWindow, 12);

        // Truncating long documents drops tokens and counts them.
        var truncate = PackingMeasurement.Of(() => new BestFitPacker(Data(), 4, 1, Options, longDocuments: LongDocuments.Truncate));
        Assert.Equal(0.25, truncate.Metrics()["pack_truncation_rate"]);   // C (5 with its end-of-text) loses one token
        Assert.True(truncate.Metrics()["pack_dropped_token_fraction"] > 0);
        Assert.True(truncate.WindowsPerSecond > 0);
    }
}
