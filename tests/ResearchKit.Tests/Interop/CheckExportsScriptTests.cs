using System.Diagnostics;
using System.Text.Json.Nodes;
using ResearchKit.Interop;
using ResearchKit.Runtime;
using ResearchKit.Tests.Corpus;
using ResearchKit.Tokenization;
using ResearchKit.Training;
using TorchSharp;

namespace ResearchKit.Tests.Interop;

/// <summary>tools/check_exports.py, the check for machines with PyTorch: its standard-library readers (Megatron's
/// index logic, llm.c's header check, nanoGPT's uint16 stream, the safetensors header) read back what the kit wrote.
/// Its torch part (logits against rk_reference.safetensors) needs PyTorch, which CI does not have.</summary>
public sealed class CheckExportsScriptTests : IDisposable
{
    readonly TempDir _dir = new();
    public void Dispose() => _dir.Dispose();

    static string Script => Path.Combine(TestCorpus.RepoRoot, "tools", "check_exports.py");

    static JsonNode Run(params string[] args) => JsonNode.Parse(PythonScript.Run(Script, args))!;

    static InMemoryTokenDataset Data()
    {
        var d = new InMemoryTokenDataset(["web", "code"], 257, 256);
        d.Add("web", [1, 2, 3], [200]);
        d.Add("code", [4]);
        d.Add("web", []);
        d.Add("code", [255, 0, 65, 66]);
        return d;
    }

    [SkippableFact]
    public void TheScriptsReadersGetBackWhatTheKitWrote()
    {
        var data = Data();
        MegatronIndexedDataset.Write(data, _dir["m"]);
        var megatron = Run("megatron", _dir["m"]);
        Assert.Equal(8, megatron["dtype_code"]!.GetValue<int>());
        Assert.Equal(4, megatron["documents"]!.GetValue<int>());
        Assert.Equal("[[1,2,3,256],[4,256],[256],[255,0,65,66,256]]", megatron["sequences"]!.ToJsonString());

        var files = LlmcTokenFile.Write(data, _dir["l"], new TokenExportOptions(IncludePrefixes: true), tokensPerFile: 4).Files;
        var llmc = Run(["llmc", .. files]);
        Assert.Equal("[256,200,1,2,3,256,4,256,256,255,0,65,66]", llmc["stream"]!.ToJsonString());

        NanoGptTokenFile.Write(data, _dir["n.bin"]);
        Assert.Equal("[1,2,3,256,4,256,256,255,0,65,66,256]", Run("nanogpt", _dir["n.bin"])["stream"]!.ToJsonString());
    }

    [SkippableFact]
    public void TheScriptReadsTheExportedSafetensorsHeader()
    {
        TorchRuntime.Initialize("cpu");
        torch.manual_seed(5);
        using var model = new Gpt(GptConfig.Micro());
        Checkpoint.SaveWeights(_dir["c.bin"], model);
        HfCheckpoint.Export(_dir["c.bin"], _dir["hf"]);
        var header = Run("safetensors", Path.Combine(_dir["hf"], HfCheckpoint.WeightsFile));
        Assert.Equal("pt", header["metadata"]!["format"]!.GetValue<string>());
        Assert.Equal("[192,64]", header["tensors"]!["gpt_neox.layers.1.attention.query_key_value.weight"]!["shape"]!.ToJsonString());
        Assert.Equal(2 + 2 * 12 + 2, header["tensors"]!.AsObject().Count);
        var reference = Run("safetensors", Path.Combine(_dir["hf"], HfCheckpoint.ReferenceFile));
        Assert.Equal("[1,32,257]", reference["tensors"]!["logits"]!["shape"]!.ToJsonString());
        Assert.Equal("I64", reference["tensors"]!["input_ids"]!["dtype"]!.GetValue<string>());
    }
}
