using SecGear.SecureChannel;

namespace SecureChannel.Enclave;

/// <summary>The channel limits of this sample's enclave (the host and client use the same numbers).</summary>
public static class ChannelLimits
{
    /// <summary>The largest frame body the enclave accepts or sends (handshake frames carry the evidence).</summary>
    public const int MaxFrameLength = 64 * 1024;

    /// <summary>The largest secret (record plaintext) the enclave accepts.</summary>
    public const int MaxSecretLength = 16 * 1024;

    /// <summary>The channel server's options.</summary>
    public static SecureChannelOptions Options => new()
    {
        MaxFrameLength = MaxFrameLength,
        MaxRecordPayload = MaxSecretLength,
        MaxSessions = 16,
        IdleTimeout = TimeSpan.FromMinutes(2),
    };
}
