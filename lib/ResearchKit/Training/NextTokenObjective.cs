using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ResearchKit.Training;

/// <summary>Standard language modelling: the mean next-token loss over the batch's trainable targets.</summary>
public sealed record NextTokenObjective : ObjectiveSpec
{
    public override ITrainingObjective Build(ObjectiveContext context) => new Instance();

    sealed class Instance : ITrainingObjective
    {
        static readonly Dictionary<string, double> None = [];
        public Tensor Loss(Tensor perTokenLoss, Batch batch, MicroBatch micro) => TokenLoss.MaskedMean(perTokenLoss, batch.LossMask);
        public IReadOnlyDictionary<string, double> StepMetrics => None;
        public IReadOnlyDictionary<string, double> Summary => None;
        public JsonNode? State => null;
        public void Restore(JsonNode state) { }
        public void Publish(string directory) { }
        public void Dispose() { }
    }
}
