namespace SecGear.CryptoModule;

/// <summary>Flags of an <see cref="EnclaveRequest"/>.</summary>
[Flags]
public enum EnclaveRequestFlags : byte
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Sign/verify: the data is already the scheme's hash.</summary>
    Prehashed = 1,
}
