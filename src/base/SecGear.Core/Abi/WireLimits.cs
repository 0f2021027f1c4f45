namespace SecGear.Abi;

/// <summary>
/// Process-wide limits that generated deserialisers apply to data from the other side of the boundary.
/// </summary>
public static class WireLimits
{
    /// <summary>The default for <see cref="MaxBufferBytes"/>: 64 MiB.</summary>
    public const int DefaultMaxBufferBytes = 64 * 1024 * 1024;

    private static int s_maxBufferBytes = DefaultMaxBufferBytes;

    /// <summary>
    /// The largest buffer, in bytes, that a receiver allocates for one <c>[in]</c>, <c>[out]</c> or string
    /// parameter on behalf of the other side. A request that asks for more fails with <see cref="MarshalException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public static int MaxBufferBytes
    {
        get => Volatile.Read(ref s_maxBufferBytes);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref s_maxBufferBytes, value);
        }
    }
}
