using ResearchKit.Models;

namespace ResearchKit.ProX.Refining;

/// <summary>Opens a refining model from a local directory as a program writer: a refiner the kit trained (a
/// <see cref="RefinerTrainStage"/> artifact: refiner.json beside checkpoint.bin) or a released ProX refining model in
/// the Hugging Face layout (config.json, safetensors, tokenizer.model), set up as the reference runs it at
/// <paramref name="level"/>. Nothing is downloaded.</summary>
public static class RefinerModels
{
    public static RefiningModelWriter Load(string directory, ProxStages level, string device = "cpu", int? batchSize = null)
    {
        if (level is not (ProxStages.Document or ProxStages.Chunk)) throw new ArgumentException($"a refining model writes programs at one level, Document or Chunk, not {level}", nameof(level));
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: no such model directory");
        if (RefinerArtifact.IsRefiner(directory))
        {
            var artifact = new RefinerArtifact(directory);
            if (artifact.Spec.Level != level)
                throw new ArgumentException($"{directory} holds a {artifact.Spec.Level}-level refiner; a {level}-level one is needed here");
            return artifact.Writer(device, batchSize);
        }
        if (!File.Exists(Path.Combine(directory, LlamaCheckpoint.ConfigFile)))
            throw new FileNotFoundException($"{directory}: neither a kit refiner ({RefinerArtifact.SpecFile}) nor a Hugging Face model ({LlamaCheckpoint.ConfigFile})", Path.Combine(directory, LlamaCheckpoint.ConfigFile));
        var loaded = LlamaCheckpoint.Load(directory, Runtime.TorchRuntime.Initialize(device).TorchDevice);
        var options = level == ProxStages.Document ? RefiningWriterOptions.Document : RefiningWriterOptions.Chunk;
        if (batchSize is { } b) options = options with { BatchSize = b };
        return level == ProxStages.Document ? RefiningModelWriter.ReleasedDocumentModel(loaded, options) : RefiningModelWriter.ReleasedChunkModel(loaded, options);
    }
}
