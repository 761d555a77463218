namespace ResearchKit;

/// <summary>
/// Marks a config property that does not change what is computed: where files go, how often to log or checkpoint,
/// which device runs it. <see cref="Experiments.ConfigHash"/> leaves such properties out, so moving a run to another
/// folder or device keeps its cache key (and a resumed run may change them).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotHashedAttribute : Attribute;
