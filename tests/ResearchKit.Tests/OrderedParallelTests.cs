using ResearchKit.Corpus;
using ResearchKit.Tokenization;

namespace ResearchKit.Tests;

public class OrderedParallelTests
{
    /// <summary>Items whose cost varies a lot (the slow ones finish after later batches), across many batches.</summary>
    static IEnumerable<int> Items(int n) => Enumerable.Range(0, n);

    static int SlowSquare(int i)
    {
        if (i % 97 == 0) Thread.Sleep(3);
        return i * i;
    }

    [Fact]
    public void Results_come_back_in_input_order_across_many_batches()
    {
        int n = OrderedParallel.BatchItems * 4 * Environment.ProcessorCount * 3 + 17;
        var results = OrderedParallel.Select(Items(n), SlowSquare, _ => 1).ToList();
        Assert.Equal(Items(n).Select(i => i * i), results);
    }

    [Fact]
    public void Heavy_items_close_a_batch_early_and_order_still_holds()
    {
        // Each item weighs a whole batch: every item is its own task.
        var results = OrderedParallel.Select(Items(200), SlowSquare, _ => OrderedParallel.BatchWeight).ToList();
        Assert.Equal(Items(200).Select(i => i * i), results);
    }

    [Fact]
    public void Source_is_read_lazily_with_a_bounded_look_ahead()
    {
        int read = 0;
        IEnumerable<int> Counting() { for (int i = 0; ; i++) { read++; yield return i; } }   // endless: must not be drained
        var first = OrderedParallel.Select(Counting(), i => i + 1, _ => 1).Take(10).ToList();
        Assert.Equal(Enumerable.Range(1, 10), first);
        Assert.True(read <= OrderedParallel.BatchItems * (4 * Environment.ProcessorCount + 1), $"read {read} items ahead");
    }

    [Fact]
    public void The_first_failure_in_input_order_is_rethrown_unwrapped_after_the_items_before_it()
    {
        int n = OrderedParallel.BatchItems * 10;
        int failAt = OrderedParallel.BatchItems * 3 + 5, alsoFailsLater = OrderedParallel.BatchItems * 7;
        var seen = new List<int>();
        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var r in OrderedParallel.Select(Items(n), i => i == failAt || i == alsoFailsLater ? throw new InvalidDataException($"item {i}") : i, _ => 1))
                seen.Add(r);
        });
        Assert.Equal($"item {failAt}", e.Message);
        Assert.Equal(Enumerable.Range(0, failAt), seen);
    }

    [Fact]
    public void No_mapping_runs_after_the_caller_stops_early()
    {
        int running = 0, started = 0;
        var results = OrderedParallel.Select(Items(100_000), i =>
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            Thread.SpinWait(2000);
            Interlocked.Decrement(ref running);
            return i;
        }, _ => 1).Take(3).ToList();
        Assert.Equal([0, 1, 2], results);
        Assert.Equal(0, Volatile.Read(ref running));
        int after = Volatile.Read(ref started);
        Thread.Sleep(20);
        Assert.Equal(after, Volatile.Read(ref started));
    }

    [Fact]
    public void Tokenized_shard_is_byte_identical_to_sequential_tokenization()
    {
        var tok = TextTokenizers.Create("cl100k_base");
        var docs = Enumerable.Range(0, 600).Select(i => new Document($"d{i}", string.Concat(Enumerable.Repeat($"document {i} says hello to the world; ", 1 + i % 37)), i % 3 == 0 ? "web" : "code")).ToList();
        var dir = Directory.CreateTempSubdirectory("rk-ordered-").FullName;
        try
        {
            var parallel = Path.Combine(dir, "p.rkt");
            TokenShard.Tokenize(docs, tok, parallel);
            var expected = new InMemoryTokenDataset(["code", "web"], tok.VocabSize, tok.EndOfText);
            foreach (var d in docs) expected.Add(d.Domain, tok.Encode(d.Text));
            var sequential = Path.Combine(dir, "s.rkt");
            TokenShard.Write(sequential, expected, tok);
            Assert.Equal(File.ReadAllBytes(sequential), File.ReadAllBytes(parallel));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
