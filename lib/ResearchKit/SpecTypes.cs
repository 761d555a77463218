using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace ResearchKit;

/// <summary>
/// The derived types of the kit's polymorphic config records (a packing, an objective, a prefix), registered by the
/// folder that defines them, so the engine's configs never list the methods that extend them. Serialized with a
/// <c>"$type"</c> property: <c>{"$type": "group-dro", "Variant": "Excess", ...}</c>. Register before the first
/// serialization (the kit's own types register when the library loads).
/// </summary>
public static class SpecTypes
{
    static readonly ConcurrentDictionary<Type, List<JsonDerivedType>> Derived = new();

    public static void Register<TBase, TDerived>(string kind) where TDerived : TBase
    {
        var list = Derived.GetOrAdd(typeof(TBase), _ => []);
        lock (list)
        {
            if (list.Any(d => (string)d.TypeDiscriminator! == kind && d.DerivedType != typeof(TDerived)))
                throw new ArgumentException($"kind '{kind}' is already registered for {typeof(TBase).Name}");
            if (list.All(d => d.DerivedType != typeof(TDerived))) list.Add(new JsonDerivedType(typeof(TDerived), kind));
        }
    }

    /// <summary>The registered kind of a spec instance (e.g. "concat").</summary>
    public static string KindOf<TBase>(TBase spec) where TBase : notnull =>
        Derived.TryGetValue(typeof(TBase), out var list) && list.FirstOrDefault(d => d.DerivedType == spec.GetType()) is { TypeDiscriminator: string kind }
            ? kind : spec.GetType().Name;

    internal static void AddPolymorphism(JsonTypeInfo info)
    {
        if (!Derived.TryGetValue(info.Type, out var list)) return;
        var options = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization };
        lock (list) foreach (var d in list) options.DerivedTypes.Add(d);
        info.PolymorphismOptions = options;
    }
}

/// <summary>The kit's JSON settings: one place, so configs, checkpoints, caches and hashes agree.</summary>
public static class KitJson
{
    /// <summary>Config and record files: indented, enums by name, case-insensitive on read, unknown fields refused.</summary>
    public static JsonSerializerOptions Files { get; } = Create(indented: true, hashing: false);

    /// <summary>Hash input: compact, enums by name, <see cref="NotHashedAttribute"/> properties left out.</summary>
    public static JsonSerializerOptions Hashing { get; } = Create(indented: false, hashing: true);

    static JsonSerializerOptions Create(bool indented, bool hashing)
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(SpecTypes.AddPolymorphism);
        if (hashing) resolver.Modifiers.Add(RemoveNotHashed);
        var options = new JsonSerializerOptions
        {
            WriteIndented = indented,
            PropertyNameCaseInsensitive = true,
            Converters = { new JsonStringEnumConverter() },
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            AllowOutOfOrderMetadataProperties = true,
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
    }

    static void RemoveNotHashed(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        for (int i = info.Properties.Count - 1; i >= 0; i--)
            if (info.Properties[i].AttributeProvider?.IsDefined(typeof(NotHashedAttribute), inherit: true) == true)
                info.Properties.RemoveAt(i);
    }
}
