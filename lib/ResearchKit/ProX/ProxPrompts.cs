namespace ResearchKit.ProX;

/// <summary>The text a refining model is given, before its chat template (the reference uses Llama-2-chat's, with
/// <see cref="SystemMessage"/> as the system turn): the raw document at document level, a numbered chunk wrapped in
/// [doc] tags at chunk level.</summary>
public static class ProxPrompts
{
    public const string SystemMessage = "You are a helpful, respectful and honest assistant.";

    /// <summary>Document level: the raw text, no line numbers.</summary>
    public static string DocumentUserMessage(string text) => text;

    /// <summary>Chunk level: <c>"[doc]\n" + chunk + "\n[/doc]"</c>.</summary>
    public static string ChunkUserMessage(ProxChunk chunk) => ChunkUserMessage(chunk.Text);

    /// <summary>Chunk level, from a chunk's numbered text.</summary>
    public static string ChunkUserMessage(string chunkText) => "[doc]\n" + chunkText + "\n[/doc]";
}
