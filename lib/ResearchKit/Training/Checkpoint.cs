using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Everything besides the tensors that a resumed run needs: the parameter layout, the step, the named states
/// of the run's parts (<c>data</c>: the window source's position; <c>objective</c>: e.g. DoReMi's domain weights),
/// the metrics so far and the CPU RNG state (dropout).</summary>
internal sealed record CheckpointHeader(
    GptConfig Model, string DType, int Step, long OptimizerSteps, IReadOnlyList<FlatAdamW.Slot> Layout,
    JsonObject States, IReadOnlyList<StepMetrics> Metrics, string TorchRngState);

/// <summary>
/// One file per run: a JSON header, then the flat parameter buffer and the two AdamW moment buffers as raw bytes.
/// Written atomically (a crash leaves the previous checkpoint intact).
/// </summary>
public static class Checkpoint
{
    public const string FileName = "checkpoint.bin";
    const string Magic = "ResearchKit checkpoint v2";

    internal static void Save(string path, CheckpointHeader header, FlatAdamW optimizer) =>
        AtomicFile.Write(path, (Stream s) =>
        {
            using var w = new BinaryWriter(s);
            w.Write(Magic);
            w.Write(JsonSerializer.Serialize(header, KitJson.Files));
            foreach (var t in new[] { optimizer.Parameters, optimizer.ExpAvg, optimizer.ExpAvgSq }) WriteTensor(w, t);
        });

    internal static CheckpointHeader Restore(string path, FlatAdamW optimizer)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var header = ReadHeader(path, r);
        if (header.Layout.Count != optimizer.Layout.Count || header.Layout.Zip(optimizer.Layout).Any(p => p.First.Name != p.Second.Name || p.First.Offset != p.Second.Offset))
            throw new DataFormatException(path, null, "Layout", "the checkpoint's parameter layout differs from this model's");
        using var _ = torch.no_grad();
        foreach (var (t, field) in new[] { (optimizer.Parameters, "parameters"), (optimizer.ExpAvg, "exp_avg"), (optimizer.ExpAvgSq, "exp_avg_sq") })
            using (var loaded = ReadTensor(path, r, field, t.dtype, t.numel())) t.copy_(loaded);
        optimizer.RestoreState(header.OptimizerSteps);
        return header;
    }

    /// <summary>The per-step metrics stored in a checkpoint (every step up to it, including those before a resume).</summary>
    public static IReadOnlyList<StepMetrics> ReadMetrics(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        return ReadHeader(path, r).Metrics;
    }

    /// <summary>A weights-only checkpoint of <paramref name="model"/> (step 0, zero optimizer moments, no sampler
    /// state): what an imported model becomes, for evaluation and export; not a run to resume.</summary>
    internal static void SaveWeights(string path, Gpt model)
    {
        using var optimizer = new FlatAdamW(model, new OptimizerConfig());
        using var rng = torch.get_rng_state();
        Save(path, new CheckpointHeader(model.Config, optimizer.Parameters.dtype.ToString(), 0, 0, optimizer.Layout, new JsonObject(), [],
                                        Convert.ToBase64String(rng.bytes)), optimizer);
    }

    /// <summary>Reads only the model shape stored in a checkpoint.</summary>
    public static GptConfig ReadModelConfig(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        return ReadHeader(path, r).Model;
    }

    /// <summary>Loads the model of a checkpoint onto <paramref name="device"/> (for evaluation or as a frozen reference).</summary>
    public static Gpt LoadModel(string path, Device device, Precision precision = Precision.Fp32)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var header = ReadHeader(path, r);
        long total = header.Layout.Sum(s => s.Shape.Aggregate(1L, (a, b) => a * b));
        var dtype = Enum.Parse<ScalarType>(header.DType);
        var model = new Gpt(header.Model);
        using (torch.no_grad())
        using (var flat = ReadTensor(path, r, "parameters", dtype, total))
        {
            var byName = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var slot in header.Layout)
            {
                if (!byName.TryGetValue(slot.Name, out var p)) throw new DataFormatException(path, null, "Layout", $"unknown parameter '{slot.Name}'");
                using var view = flat.narrow(0, slot.Offset, p.numel()).view(slot.Shape);
                p.copy_(view);
            }
        }
        model.to(device);
        model.ComputeType = precision == Precision.Fp32 ? ScalarType.Float32 : ScalarType.BFloat16;
        return model;
    }

    static CheckpointHeader ReadHeader(string path, BinaryReader r)
    {
        try
        {
            var magic = r.ReadString();
            if (magic != Magic)
                throw new DataFormatException(path, null, null, magic.StartsWith("ResearchKit checkpoint", StringComparison.Ordinal)
                    ? $"written as '{magic}'; this kit reads '{Magic}': retrain, or use the kit version that wrote it" : "not a ResearchKit checkpoint");
            return JsonSerializer.Deserialize<CheckpointHeader>(r.ReadString(), KitJson.Files)
                ?? throw new DataFormatException(path, null, "header", "empty checkpoint header");
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw new DataFormatException(path, null, "header", $"unreadable checkpoint header: {e.Message}", e);
        }
    }

    static void WriteTensor(BinaryWriter w, Tensor t)
    {
        using var cpu = t.cpu().contiguous();
        var bytes = cpu.bytes;
        w.Write((long)bytes.Length);
        w.Write(bytes);
    }

    static Tensor ReadTensor(string path, BinaryReader r, string field, ScalarType dtype, long numel)
    {
        long length = r.ReadInt64();
        var t = torch.empty(numel, dtype);
        if (length != t.bytes.Length) { t.Dispose(); throw new DataFormatException(path, null, field, $"{length} bytes stored, {numel} {dtype} values expected"); }
        var bytes = r.ReadBytes((int)length);
        if (bytes.Length != length) { t.Dispose(); throw new DataFormatException(path, null, field, "the file ends early"); }
        t.bytes = bytes;
        return t;
    }
}
