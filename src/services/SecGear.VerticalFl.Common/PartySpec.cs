namespace SecGear.VerticalFl;

/// <summary>
/// One follower in a training plan: its name, the width of the embeddings its bottom network sends, how many
/// features its bottom network reads, and the SHA-256 of its channel key (the SubjectPublicKeyInfo of the certificate
/// it authenticates with inside the secure channel).
/// </summary>
/// <param name="Name">The party's name (1 to 64 UTF-8 bytes), e.g. <c>A</c>.</param>
/// <param name="EmbeddingDim">The embedding width (1 to 1024).</param>
public sealed record PartySpec(string Name, int EmbeddingDim)
{
    /// <summary>The number of feature columns this party's bottom network reads (its share of the feature split; 1 to 65,535).</summary>
    public int Features { get; init; }

    /// <summary>
    /// SHA-256 of the SubjectPublicKeyInfo of the party's channel certificate (32 bytes): the enclave accepts a session
    /// as this party only when the client proved possession of this key in the handshake.
    /// </summary>
    public byte[] ClientKeySha256 { get; init; } = [];
}
