using SecGear.Trusted.Sealing;

namespace SecGear.Trusted.Platform;

/// <summary>
/// A request for a sealing key (the <c>sgx_key_request_t</c> analogue): the policy, the security version the key is
/// for (at most the caller's own), and a random per-blob key id of <see cref="KeyIdLength"/> bytes.
/// </summary>
/// <param name="Policy">Which identity the key is bound to.</param>
/// <param name="SecurityVersion">The security version the key is derived for; must not exceed the enclave's own.</param>
/// <param name="KeyId">Random bytes stored with the blob so that each blob has its own key.</param>
public readonly record struct SealKeyRequest(SealPolicy Policy, ushort SecurityVersion, ReadOnlyMemory<byte> KeyId)
{
    /// <summary>Length of <see cref="KeyId"/> in bytes.</summary>
    public const int KeyIdLength = 32;

    /// <summary>Length of a derived sealing key in bytes (AES-256).</summary>
    public const int KeyLength = 32;
}
