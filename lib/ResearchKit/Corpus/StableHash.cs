using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ResearchKit.Corpus;

/// <summary>A seeded 64-bit hash of a string that is the same on every run and platform (unlike
/// string.GetHashCode): the first 8 bytes of SHA-256 over the seed and the UTF-8 text.</summary>
static class StableHash
{
    public static ulong Of(string text, long seed)
    {
        int length = 8 + Encoding.UTF8.GetByteCount(text);
        byte[]? rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        BinaryPrimitives.WriteInt64LittleEndian(input, seed);
        Encoding.UTF8.GetBytes(text, input[8..]);
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(input, digest);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>The hash as a number in [0, 1).</summary>
    public static double Unit(string text, long seed) => (Of(text, seed) >> 11) * (1.0 / (1UL << 53));
}
