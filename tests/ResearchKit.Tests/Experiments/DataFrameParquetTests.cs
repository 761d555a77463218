using Microsoft.Data.Analysis;
using ResearchKit.Experiments;

namespace ResearchKit.Tests.Experiments;

public class DataFrameParquetTests
{
    [Fact]
    public void RoundTripsEveryColumnTypeWithNulls()
    {
        var dir = Directory.CreateTempSubdirectory("rk-parquet-");
        try
        {
            var frame = new DataFrame(
                new StringDataFrameColumn("s", ["a", null, "ü"]),
                new DoubleDataFrameColumn("d", [1.5, null, double.NaN]),
                new SingleDataFrameColumn("f", [2.5f, 3f, null]),
                new Int64DataFrameColumn("l", [long.MaxValue, null, -1]),
                new Int32DataFrameColumn("i", [null, 7, 8]),
                new BooleanDataFrameColumn("b", [true, false, null]));
            var path = Path.Combine(dir.FullName, "t.parquet");
            DataFrameParquet.Write(frame, path);
            var back = DataFrameParquet.Read(path);
            Assert.Equal(frame.Columns.Select(c => (c.Name, c.DataType)), back.Columns.Select(c => (c.Name, c.DataType)));
            for (int c = 0; c < frame.Columns.Count; c++)
                Assert.Equal(Enumerable.Range(0, 3).Select(r => frame.Columns[c][r]), Enumerable.Range(0, 3).Select(r => back.Columns[c][r]));
            Assert.Single(Directory.GetFiles(dir.FullName)); // no temporary file left beside it
        }
        finally { dir.Delete(recursive: true); }
    }
}
