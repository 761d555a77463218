using System.CommandLine;
using System.Diagnostics;
using System.Text;
using ResearchKit.Tokenization;
using Spectre.Console;

namespace ResearchKit.Cli;

/// <summary><c>rk bench tokenize</c>: tokenizer throughput on real text files, single-threaded and on all cores,
/// against UTF-8 decoding of the same bytes measured in the same run.</summary>
static class BenchTokenizeCommand
{
    public static Command Create()
    {
        var inputs = new Option<string[]>("--input") { Description = "text files or directories (default: /usr/share/common-licenses and Python's stdlib)", AllowMultipleArgumentsPerToken = true };
        var maxMb = new Option<double>("--max-mb") { Description = "read at most this much text", DefaultValueFactory = _ => 4 };
        var seconds = new Option<double>("--seconds") { Description = "minimum time per measurement", DefaultValueFactory = _ => 1 };
        var tokenize = new Command("tokenize", "Tokenizer MB/s per core for each tokenizer, vs UTF-8 decoding, single-threaded vs all cores") { inputs, maxMb, seconds };
        tokenize.SetAction(p =>
        {
            var texts = LoadTexts(p.GetValue(inputs) is { Length: > 0 } i ? i : DefaultInputs(), (long)(p.GetValue(maxMb) * (1 << 20)));
            var bytes = texts.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
            double mb = bytes.Sum(b => (long)b.Length) / (double)(1 << 20);
            double minSeconds = p.GetValue(seconds);
            int cores = Environment.ProcessorCount;
            AnsiConsole.MarkupLineInterpolated($"{texts.Length:N0} files, {mb:F2} MB of UTF-8 text, {cores} cores");

            double decode = Rate(mb, minSeconds, () => { foreach (var b in bytes) _ = Encoding.UTF8.GetString(b); });
            var table = new Table().AddColumns("tokenizer", "B/tok", "1-thr MB/s", $"{cores}-thr MB/s", "MB/s/core", "par/1-thr", "1-thr/decode");
            table.AddRow("utf8 decode", "", $"{decode:F1}", "", "", "", "1");
            foreach (var name in TextTokenizers.Names)
            {
                var tok = TextTokenizers.Create(name);
                long tokens = texts.Sum(t => (long)tok.Encode(t).Length);
                double single = Rate(mb, minSeconds, () => { foreach (var t in texts) tok.Encode(t); });
                double parallel = Rate(mb, minSeconds, () => Parallel.ForEach(texts, t => tok.Encode(t)));
                table.AddRow(name, $"{mb * (1 << 20) / tokens:F2}", $"{single:F2}", $"{parallel:F2}", $"{parallel / cores:F2}",
                             $"{parallel / single:F2}x", $"{single / decode:F4}");
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return new Command("bench", "Benchmarks, each reporting ratios against a reference measured in the same run") { tokenize };
    }

    static string[] DefaultInputs()
    {
        var python = Directory.Exists("/root/.pyenv/versions")
            ? Directory.GetDirectories("/root/.pyenv/versions").Order(StringComparer.Ordinal).Select(v => Directory.GetDirectories(Path.Combine(v, "lib"), "python3*").FirstOrDefault()).FirstOrDefault(d => d is not null)
            : null;
        return new[] { "/usr/share/common-licenses", python }.Where(d => d is not null && Directory.Exists(d)).ToArray()!;
    }

    /// <summary>Whole files, in name order, decoded strictly (files that are not UTF-8 are skipped).</summary>
    static string[] LoadTexts(string[] inputs, long maxBytes)
    {
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var files = inputs.SelectMany(i => File.Exists(i) ? (IEnumerable<string>)[i] : Directory.EnumerateFiles(i, "*", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal));
        var texts = new List<string>();
        long total = 0;
        foreach (var f in files)
        {
            if (total >= maxBytes) break;
            var b = File.ReadAllBytes(f);
            if (b.Length == 0) continue;
            try { texts.Add(strict.GetString(b)); total += b.Length; } catch (DecoderFallbackException) { }
        }
        if (texts.Count == 0) throw new FileNotFoundException($"no UTF-8 text files in {string.Join(", ", inputs)}");
        return texts.ToArray();
    }

    /// <summary>MB/s of <paramref name="run"/> (one pass over <paramref name="mb"/> MB), after a warm-up pass,
    /// repeated until <paramref name="minSeconds"/> have passed.</summary>
    static double Rate(double mb, double minSeconds, Action run)
    {
        run();
        int passes = 0;
        var clock = Stopwatch.StartNew();
        do { run(); passes++; } while (clock.Elapsed.TotalSeconds < minSeconds);
        return mb * passes / clock.Elapsed.TotalSeconds;
    }
}
