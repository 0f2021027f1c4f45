namespace SecGear.CryptoModule.Keys;

/// <summary>The check value of the store wrapping key the enclave installed at start (bound into attestation evidence).</summary>
public sealed class StoreKeyCheck
{
    /// <summary>8 bytes; empty until the module initialised.</summary>
    public byte[] Value { get; internal set; } = [];
}
