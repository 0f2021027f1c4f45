namespace SecGear.VerticalFl;

/// <summary>What a relayed frame did inside the enclave: all the host learns about it, besides its length.</summary>
public enum VflEvent
{
    /// <summary>A handshake step or nothing the host needs to act on.</summary>
    None = 0,

    /// <summary>A follower's session was bound to its party (Hello accepted).</summary>
    Joined = 1,

    /// <summary>A follower's embeddings for the current round were accepted.</summary>
    EmbeddingsAccepted = 2,

    /// <summary>A follower fetched its gradient; the reply frame carries it, encrypted to that follower.</summary>
    GradientSent = 3,

    /// <summary>The enclave refused the message and replied with an error record (or alert).</summary>
    Refused = 4,
}
