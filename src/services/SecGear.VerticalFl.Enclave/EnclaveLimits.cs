using SecGear.SecureChannel;

namespace SecGear.VerticalFl.Enclave;

/// <summary>The split-layer enclave's channel limits (<see cref="VflLimits"/>; the followers use the same numbers).</summary>
public static class EnclaveLimits
{
    /// <summary>The channel server's options.</summary>
    public static SecureChannelOptions ChannelOptions => new()
    {
        MaxFrameLength = VflLimits.MaxFrameLength,
        MaxRecordPayload = VflLimits.MaxRecordPayload,
        MaxSessions = 32,
        IdleTimeout = TimeSpan.FromMinutes(10),
    };
}
