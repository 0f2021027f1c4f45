namespace SecGear.VerticalFl;

/// <summary>One follower in a training plan: its name and the width of the embeddings its bottom network sends.</summary>
/// <param name="Name">The party's name (1 to 64 UTF-8 bytes), e.g. <c>A</c>.</param>
/// <param name="EmbeddingDim">The embedding width (1 to 1024).</param>
public sealed record PartySpec(string Name, int EmbeddingDim);
