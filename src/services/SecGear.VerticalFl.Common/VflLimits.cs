namespace SecGear.VerticalFl;

/// <summary>Limits shared by the followers, the leader's relay and the enclave.</summary>
public static class VflLimits
{
    /// <summary>The largest record plaintext (one batch of embeddings or gradients, plus its header).</summary>
    public const int MaxRecordPayload = 64 * 1024;

    /// <summary>The largest secure channel frame body (a record plus its overhead, or a handshake message with evidence).</summary>
    public const int MaxFrameLength = MaxRecordPayload + 1024;

    /// <summary>The reply buffer the leader's host gives vfl_channel.</summary>
    public const int ReplyCapacity = MaxFrameLength + 64;
}
