using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ResearchKit.Integrity;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Everything besides the tensors that a resumed run needs: the parameter layout, the step, the named states
/// of the run's parts (<c>data</c>: the window source's position; <c>objective</c>: e.g. DoReMi's domain weights),
/// the metrics so far and the CPU RNG state (dropout); and what the run was: its full resolved <see cref="Config"/> and
/// a fingerprint of its <see cref="Data"/>, so a resume refuses another experiment (both null in version 2 files).</summary>
internal sealed record CheckpointHeader(
    GptConfig Model, string DType, int Step, long OptimizerSteps, IReadOnlyList<FlatAdamW.Slot> Layout,
    JsonObject States, IReadOnlyList<StepMetrics> Metrics, string TorchRngState, JsonNode? Config = null, DataFingerprint? Data = null);

/// <summary>
/// One file per run, version 3: the magic string, a JSON header, then the flat parameter buffer and the two AdamW
/// moment buffers as raw bytes; each of the four sections is followed by its XXH3-64 checksum, verified as the file is
/// read (the sections are read whole, so hashing adds a memory-speed pass; there is nothing to verify lazily). A flipped
/// bit is reported with the file and the section instead of silently changing the resumed run. Version 2 files (no
/// checksums, no stored config) are still read for evaluation and export; they cannot be resumed. Written atomically
/// (a crash leaves the previous checkpoint intact).
/// </summary>
public static class Checkpoint
{
    public const string FileName = "checkpoint.bin";
    const string Magic = "ResearchKit checkpoint v3", MagicV2 = "ResearchKit checkpoint v2";
    static readonly string[] Sections = ["parameters", "exp_avg", "exp_avg_sq"];

    internal static void Save(string path, CheckpointHeader header, FlatAdamW optimizer) =>
        AtomicFile.Write(path, (Stream s) =>
        {
            using var w = new BinaryWriter(s);
            w.Write(Magic);
            var json = JsonSerializer.Serialize(header, KitJson.Files);
            w.Write(json);
            w.Write(Checksum.Of(Encoding.UTF8.GetBytes(json)));
            foreach (var t in new[] { optimizer.Parameters, optimizer.ExpAvg, optimizer.ExpAvgSq }) WriteTensor(w, t);
        });

    internal static CheckpointHeader Restore(string path, FlatAdamW optimizer)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var (header, version) = ReadHeader(path, r);
        if (header.Layout.Count != optimizer.Layout.Count || header.Layout.Zip(optimizer.Layout).Any(p => p.First.Name != p.Second.Name || p.First.Offset != p.Second.Offset))
            throw new DataFormatException(path, null, "Layout", "the checkpoint's parameter layout differs from this model's");
        using var _ = torch.no_grad();
        foreach (var (t, field) in new[] { (optimizer.Parameters, "parameters"), (optimizer.ExpAvg, "exp_avg"), (optimizer.ExpAvgSq, "exp_avg_sq") })
            using (var loaded = ReadTensor(path, r, field, t.dtype, t.numel(), version))
            {
                // A checksum guards the bytes since they were written; this guards against a run that saved non-finite
                // values, which would otherwise resume into a "diverged" report that blames the learning rate.
                if (!torch.isfinite(loaded).all().item<bool>())
                    throw new DataFormatException(path, null, field, "holds NaN or infinite values (its checksum matches, so the run that wrote it had " +
                                                                      "already gone non-finite): resume from an earlier copy or retrain");
                t.copy_(loaded);
            }
        optimizer.RestoreState(header.OptimizerSteps);
        return header;
    }

    /// <summary>The per-step metrics stored in a checkpoint (every step up to it, including those before a resume).</summary>
    public static IReadOnlyList<StepMetrics> ReadMetrics(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        return ReadHeader(path, r).Header.Metrics;
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
        return ReadHeader(path, r).Header.Model;
    }

    /// <summary>Loads the model of a checkpoint onto <paramref name="device"/> (for evaluation or as a frozen reference).</summary>
    public static Gpt LoadModel(string path, Device device, Precision precision = Precision.Fp32)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var (header, version) = ReadHeader(path, r);
        long total = header.Layout.Sum(s => s.Shape.Aggregate(1L, (a, b) => a * b));
        if (!Enum.TryParse<ScalarType>(header.DType, out var dtype)) throw new DataFormatException(path, null, "DType", $"unknown tensor type '{header.DType}'");
        var model = new Gpt(header.Model);
        long elementSize;
        using (torch.no_grad())
        using (var flat = ReadTensor(path, r, "parameters", dtype, total, version))
        {
            elementSize = flat.ElementSize;
            var byName = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var slot in header.Layout)
            {
                if (!byName.TryGetValue(slot.Name, out var p)) throw new DataFormatException(path, null, "Layout", $"unknown parameter '{slot.Name}'");
                using var view = flat.narrow(0, slot.Offset, p.numel()).view(slot.Shape);
                p.copy_(view);
            }
        }
        // Only the parameters are read here; a file cut in the moments is damaged all the same.
        long moments = 2 * (8 + total * elementSize + (version >= 3 ? 8 : 0));
        if (r.BaseStream.Length - r.BaseStream.Position < moments)
            throw new DataFormatException(path, null, "exp_avg", "the file ends early (truncated): restore it from a good copy");
        model.to(device);
        model.ComputeType = precision == Precision.Fp32 ? ScalarType.Float32 : ScalarType.BFloat16;
        return model;
    }

    /// <summary>The header alone (no tensors are read): what a resume compares before it touches the model.</summary>
    internal static CheckpointHeader ReadHeader(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        return ReadHeader(path, r).Header;
    }

    static (CheckpointHeader Header, int Version) ReadHeader(string path, BinaryReader r)
    {
        string json;
        int version;
        try
        {
            var magic = r.ReadString();
            version = magic == Magic ? 3 : magic == MagicV2 ? 2
                : throw new DataFormatException(path, null, null, magic.StartsWith("ResearchKit checkpoint", StringComparison.Ordinal)
                    ? $"written as '{magic}'; this kit reads '{Magic}' and '{MagicV2}': retrain, or use the kit version that wrote it" : "not a ResearchKit checkpoint");
            json = r.ReadString();
            if (version >= 3) Checksum.Verify(path, "header", r.ReadUInt64(), Checksum.Of(Encoding.UTF8.GetBytes(json)));
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            throw new DataFormatException(path, null, "header", $"unreadable checkpoint header (truncated or not a checkpoint): {e.Message}", e);
        }
        CheckpointHeader? header;
        try { header = JsonSerializer.Deserialize<CheckpointHeader>(json, KitJson.Files); }
        catch (JsonException e) { throw new DataFormatException(path, null, e.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : "header", $"malformed checkpoint header: {e.Message}", e); }
        if (header is null) throw new DataFormatException(path, null, "header", "empty checkpoint header");
        // Positional records deserialize a missing (e.g. renamed) property as null: name it here, not as a NullReferenceException later.
        foreach (var (value, field) in new (object?, string)[] { (header.Model, "Model"), (header.DType, "DType"), (header.Layout, "Layout"),
                                                                   (header.States, "States"), (header.Metrics, "Metrics"), (header.TorchRngState, "TorchRngState") })
            if (value is null) throw new DataFormatException(path, null, field, "missing from the checkpoint header");
        if (header.Layout.Any(slot => slot?.Name is null || slot.Shape is null)) throw new DataFormatException(path, null, "Layout", "a parameter slot lacks its name or shape");
        if (header.Step < 0 || header.OptimizerSteps < 0) throw new DataFormatException(path, null, "Step", $"negative step {header.Step}");
        return (header, version);
    }

    static void WriteTensor(BinaryWriter w, Tensor t)
    {
        using var cpu = t.cpu().contiguous();
        var bytes = cpu.bytes;
        w.Write((long)bytes.Length);
        w.Write(bytes);
        w.Write(Checksum.Of(bytes));
    }

    static Tensor ReadTensor(string path, BinaryReader r, string field, ScalarType dtype, long numel, int version)
    {
        try
        {
            long length = r.ReadInt64();
            var t = torch.empty(numel, dtype);
            if (length != t.bytes.Length) { t.Dispose(); throw new DataFormatException(path, null, field, $"{length} bytes stored, {numel} {dtype} values expected"); }
            var bytes = r.ReadBytes((int)length);
            if (bytes.Length != length) { t.Dispose(); throw new DataFormatException(path, null, field, "the file ends early (truncated): restore it from a good copy"); }
            if (version >= 3)
            {
                ulong stored = r.ReadUInt64();
                if (stored != Checksum.Of(bytes)) { t.Dispose(); throw Checksum.Mismatch(path, field, stored, Checksum.Of(bytes)); }
            }
            t.bytes = bytes;
            return t;
        }
        catch (EndOfStreamException e)
        {
            throw new DataFormatException(path, null, field, "the file ends early (truncated): restore it from a good copy", e);
        }
    }
}
