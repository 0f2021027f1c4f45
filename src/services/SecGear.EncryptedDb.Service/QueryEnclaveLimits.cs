namespace SecGear.EncryptedDb.Service;

/// <summary>The limits the service shares with the enclave (same numbers as QueryEnclave's).</summary>
internal static class QueryEnclaveLimits
{
    /// <summary>Largest secure channel frame relayed.</summary>
    public const int MaxFrame = 256 * 1024;
}
