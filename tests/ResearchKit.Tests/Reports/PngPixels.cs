using System.Buffers.Binary;
using System.IO.Compression;

namespace ResearchKit.Tests.Reports;

/// <summary>Decodes an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) far enough to look at its pixels:
/// tests check that a chart image has real content, not just a valid header.</summary>
static class PngPixels
{
    public static (int Width, int Height, int Channels, byte[] Pixels) Decode(byte[] png)
    {
        int width = 0, height = 0, channels = 0;
        using var idat = new MemoryStream();
        for (int at = 8; at < png.Length;)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);      // bit depth
                channels = data[9] switch { 2 => 3, 6 => 4, var t => throw new InvalidDataException($"colour type {t}") };
                Assert.Equal(0, data[12]);     // not interlaced
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionMode.Decompress)) z.CopyTo(inflated);
        var raw = inflated.ToArray();
        int stride = width * channels;
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            for (int x = 0; x < stride; x++)
            {
                int a = x >= channels ? pixels[y * stride + x - channels] : 0;
                int b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter {filter}"),
                };
                pixels[y * stride + x] = (byte)(line[x] + predictor);
            }
        }
        return (width, height, channels, pixels);
    }

    /// <summary>How many different colours the image uses (a blank or single-colour picture has one or two).</summary>
    public static int DistinctColours(byte[] png)
    {
        var (_, _, channels, pixels) = Decode(png);
        var colours = new HashSet<int>();
        for (int i = 0; i + 2 < pixels.Length; i += channels) colours.Add(pixels[i] << 16 | pixels[i + 1] << 8 | pixels[i + 2]);
        return colours.Count;
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
