using SecGear.SecureChannel;

namespace SecGear.VerticalFl.Enclave;

/// <summary>The split-layer enclave's channel limits (<see cref="VflLimits"/>; the followers use the same numbers).</summary>
public static class EnclaveLimits
{
    /// <summary>The channel server's options; <paramref name="clients"/> decides which client certificates are accepted.</summary>
    public static SecureChannelOptions ChannelOptions(ClientCertificatePolicy clients) => new()
    {
        ClientCertificatePolicy = clients,
        MaxFrameLength = VflLimits.MaxFrameLength,
        MaxRecordPayload = VflLimits.MaxRecordPayload,
        MaxSessions = 32,
        IdleTimeout = TimeSpan.FromMinutes(10),
    };
}
