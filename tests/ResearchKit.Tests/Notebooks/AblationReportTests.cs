using Parquet.Serialization;
using ResearchKit.Reports;

namespace ResearchKit.Tests.Notebooks;

public class AblationReportTests
{
    public sealed class ArmRow { public string arm { get; set; } = ""; public double val_loss { get; set; } public long tokens { get; set; } }
    public sealed class CurveRow { public string arm { get; set; } = ""; public int step { get; set; } public double loss { get; set; } }

    [Fact]
    public async Task ReportHasConfigTableAndChartsAndNamesMissingFiles()
    {
        var dir = Directory.CreateTempSubdirectory("rk-report-").FullName;
        try
        {
            await ParquetSerializer.SerializeAsync(new[]
            {
                new ArmRow { arm = "baseline", val_loss = 3.21456, tokens = 1000 },
                new ArmRow { arm = "meco-<cooldown>", val_loss = 3.1, tokens = 1000 },
            }, Path.Combine(dir, "results.parquet"));
            var html = AblationReport.Build(dir);
            Assert.Contains("<tr><td>baseline</td><td class=\"num\">3.215</td><td class=\"num\">1000</td></tr>", html);
            Assert.Contains("<td>meco-&lt;cooldown&gt;</td>", html);
            Assert.Contains("curves.parquet is missing", html);
            Assert.Contains("config.json is missing", html);
            Assert.Equal(2, html.Split("Plotly.newPlot").Length - 2);   // one bar chart per metric (val_loss, tokens)

            File.WriteAllText(Path.Combine(dir, "config.json"), """{"name":"meco","seed":7}""");
            await ParquetSerializer.SerializeAsync(new[]
            {
                new CurveRow { arm = "baseline", step = 1, loss = 5 }, new CurveRow { arm = "baseline", step = 2, loss = 4 },
                new CurveRow { arm = "meco", step = 1, loss = 5.5 },
            }, Path.Combine(dir, "curves.parquet"));
            html = AblationReport.Build(dir);
            Assert.Contains("&quot;seed&quot;: 7", html);
            Assert.DoesNotContain(".parquet is missing", html);
            Assert.DoesNotContain("config.json is missing", html);
            Assert.Equal(3, html.Split("Plotly.newPlot").Length - 2);
            Assert.Contains("\"name\":\"meco\"", html);   // the curve trace for arm meco
            Assert.DoesNotMatch("<script[^>]*\\ssrc=", html);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
