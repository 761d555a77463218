using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ResearchKit.Interop;

/// <summary>
/// Hugging Face safetensors files through TorchSharp.PyBridge: an 8-byte little-endian header length N, N bytes of
/// JSON ({name: {dtype, shape, data_offsets}}, plus "__metadata__"), then the tensors' bytes back to back.
/// PyBridge 1.4.4 writes the tensors and their index but no "__metadata__" (transformers before 4.48.2 refuses a
/// file without {"format": "pt"}) and no alignment padding, so <see cref="Write"/> lets PyBridge write, then puts
/// the metadata first in the header and pads it with spaces to a multiple of 8 bytes, as the safetensors library
/// does; the tensor bytes are copied unchanged.
/// </summary>
public static class SafetensorsFile
{
    /// <summary>Writes <paramref name="tensors"/> (in this order) with <paramref name="metadata"/>, atomically.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        AtomicFile.Write(path, (string target) =>
        {
            var raw = target + ".pybridge";
            try
            {
                var state = new Dictionary<string, Tensor>();
                foreach (var (name, t) in tensors) state.Add(name, t.contiguous());
                using (var s = new FileStream(raw, FileMode.CreateNew, FileAccess.Write))
                    TorchSharp.PyBridge.Safetensors.SaveStateDict(s, state, leaveOpen: true);

                using var input = File.OpenRead(raw);
                var (index, dataStart) = ReadHeader(raw, input);
                var header = new JsonObject { ["__metadata__"] = new JsonObject(metadata.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
                foreach (var (name, entry) in index) if (name != "__metadata__") header[name] = entry!.DeepClone();
                var json = Encoding.UTF8.GetBytes(header.ToJsonString());
                int padded = (json.Length + 8 + 7) / 8 * 8 - 8;
                var lengthBytes = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)padded);
                using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                output.Write(lengthBytes);
                output.Write(json);
                for (int i = json.Length; i < padded; i++) output.WriteByte((byte)' ');
                input.Position = dataStart;
                input.CopyTo(output);
            }
            finally { File.Delete(raw); }
        });
    }

    /// <summary>Every tensor of a file (CPU), read by PyBridge.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such safetensors file", path);
        using (var s = File.OpenRead(path)) ReadHeader(path, s);   // clear errors for a file that is not safetensors
        return TorchSharp.PyBridge.Safetensors.LoadStateDict(path);
    }

    /// <summary>The "__metadata__" strings of a file (empty when it has none).</summary>
    public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
    {
        using var s = File.OpenRead(path);
        var (index, _) = ReadHeader(path, s);
        return index["__metadata__"] is JsonObject m ? m.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) : new Dictionary<string, string>();
    }

    /// <summary>The header's JSON object and where the tensor bytes start.</summary>
    internal static (JsonObject Index, long DataStart) ReadHeader(string path, Stream s)
    {
        var lengthBytes = new byte[8];
        if (s.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8) throw new DataFormatException(path, null, "header", "not a safetensors file (shorter than 8 bytes)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > 100_000_000 || (long)n > s.Length - 8) throw new DataFormatException(path, null, "header", $"not a safetensors file (header length {n})");
        var json = new byte[n];
        s.ReadExactly(json);
        try
        {
            var index = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the header is not a JSON object");
            return (index, 8 + (long)n);
        }
        catch (JsonException e) { throw new DataFormatException(path, null, "header", $"unreadable safetensors header: {e.Message}", e); }
    }
}
