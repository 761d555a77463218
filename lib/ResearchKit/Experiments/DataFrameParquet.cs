using Microsoft.Data.Analysis;
using Parquet;
using Parquet.Schema;

namespace ResearchKit.Experiments;

/// <summary>
/// Reads and writes a <see cref="DataFrame"/> as one Parquet row group. Column types: string, double, float, long, int,
/// bool (all nullable). Writes are atomic (<see cref="AtomicFile"/>).
/// </summary>
public static class DataFrameParquet
{
    public static void Write(DataFrame frame, string path) =>
        AtomicFile.Write(path, (Stream stream) => Task.Run(() => WriteAsync(frame, stream)).GetAwaiter().GetResult());

    /// <exception cref="DataFormatException">The file is not a whole Parquet file (e.g. cut short by a full disk or a
    /// killed copy): names it and says what to do.</exception>
    public static DataFrame Read(string path)
    {
        try { return Task.Run(() => ReadAsync(path)).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException and not FileNotFoundException and not DirectoryNotFoundException
                                       or InvalidDataException or NotSupportedException or ArgumentException or FormatException or IndexOutOfRangeException
                                       or InvalidOperationException or OverflowException)
        {
            throw new DataFormatException(path, null, null, $"not a readable Parquet file (truncated or damaged: {e.Message.TrimEnd('.')}); " +
                                                            "write it again (rerun the command that made it, e.g. rk ablate, which reuses its cached stages)", e);
        }
    }

    static async Task WriteAsync(DataFrame frame, Stream stream)
    {
        var fields = frame.Columns.Select(c => new DataField(c.Name, ClrType(c), isNullable: true)).ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        using var group = writer.CreateRowGroup();
        for (int i = 0; i < fields.Length; i++)
        {
            switch (frame.Columns[i])
            {
                case StringDataFrameColumn s: await group.WriteAsync(fields[i], s.ToArray()); break;
                case PrimitiveDataFrameColumn<double> d: await group.WriteAsync<double>(fields[i], d.ToArray()); break;
                case PrimitiveDataFrameColumn<float> f: await group.WriteAsync<float>(fields[i], f.ToArray()); break;
                case PrimitiveDataFrameColumn<long> l: await group.WriteAsync<long>(fields[i], l.ToArray()); break;
                case PrimitiveDataFrameColumn<int> n: await group.WriteAsync<int>(fields[i], n.ToArray()); break;
                case PrimitiveDataFrameColumn<bool> b: await group.WriteAsync<bool>(fields[i], b.ToArray()); break;
            }
        }
    }

    static Type ClrType(DataFrameColumn c) => c switch
    {
        StringDataFrameColumn => typeof(string),
        PrimitiveDataFrameColumn<double> => typeof(double),
        PrimitiveDataFrameColumn<float> => typeof(float),
        PrimitiveDataFrameColumn<long> => typeof(long),
        PrimitiveDataFrameColumn<int> => typeof(int),
        PrimitiveDataFrameColumn<bool> => typeof(bool),
        _ => throw new ArgumentException($"column '{c.Name}' has type {c.DataType.Name}; Parquet tables take string, double, float, long, int or bool"),
    };

    static async Task<DataFrame> ReadAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var columns = fields.Select(f => NewColumn(f, path)).ToArray();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = checked((int)group.RowCount);
            for (int i = 0; i < fields.Length; i++)
            {
                switch (columns[i])
                {
                    case StringDataFrameColumn s: { var v = new string?[n]; await group.ReadAsync(fields[i], v.AsMemory()); foreach (var x in v) s.Append(x); break; }
                    case PrimitiveDataFrameColumn<double> d: await Append(group, fields[i], d, n); break;
                    case PrimitiveDataFrameColumn<float> f: await Append(group, fields[i], f, n); break;
                    case PrimitiveDataFrameColumn<long> l: await Append(group, fields[i], l, n); break;
                    case PrimitiveDataFrameColumn<int> k: await Append(group, fields[i], k, n); break;
                    case PrimitiveDataFrameColumn<bool> b: await Append(group, fields[i], b, n); break;
                }
            }
        }
        return new DataFrame(columns);
    }

    static async Task Append<T>(ParquetRowGroupReader group, DataField field, PrimitiveDataFrameColumn<T> column, int n) where T : unmanaged
    {
        if (field.IsNullable)
        {
            var v = new T?[n];
            await group.ReadAsync(field, v.AsMemory());
            foreach (var x in v) column.Append(x);
        }
        else
        {
            var v = new T[n];
            await group.ReadAsync(field, v.AsMemory());
            foreach (var x in v) column.Append(x);
        }
    }

    static DataFrameColumn NewColumn(DataField f, string path)
    {
        var t = Nullable.GetUnderlyingType(f.ClrType) ?? f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return new StringDataFrameColumn(f.Name); // Parquet.Net 6 reports UTF-8 columns as ReadOnlyMemory<char>
        if (t == typeof(double)) return new DoubleDataFrameColumn(f.Name);
        if (t == typeof(float)) return new SingleDataFrameColumn(f.Name);
        if (t == typeof(long)) return new Int64DataFrameColumn(f.Name);
        if (t == typeof(int)) return new Int32DataFrameColumn(f.Name);
        if (t == typeof(bool)) return new BooleanDataFrameColumn(f.Name);
        throw new DataFormatException(path, null, f.Name, $"column type {t.Name} is not supported (string, double, float, long, int, bool)");
    }
}
