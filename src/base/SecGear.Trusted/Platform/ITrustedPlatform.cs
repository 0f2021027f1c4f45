using SecGear.Identity;

namespace SecGear.Trusted.Platform;

/// <summary>
/// What a TEE gives enclave code: its own identity, sealing keys bound to that identity, and random bytes.
/// Implemented by <see cref="SimulatedPlatform"/> and by each hardware engine.
/// </summary>
public interface ITrustedPlatform
{
    /// <summary>The identity of the enclave this platform runs (measured by the loader, not claimed by the host).</summary>
    EnclaveIdentity Identity { get; }

    /// <summary>Derives the sealing key for <paramref name="request"/> into <paramref name="key"/>.</summary>
    /// <param name="request">Policy, security version (at most <see cref="EnclaveIdentity.SecurityVersion"/>) and key id.</param>
    /// <param name="key">Receives <see cref="SealKeyRequest.KeyLength"/> bytes; the caller zeroes it after use.</param>
    /// <exception cref="ArgumentException">The request asks for a higher security version, has a bad key id, or <paramref name="key"/> has the wrong length.</exception>
    void DeriveSealKey(in SealKeyRequest request, Span<byte> key);

    /// <summary>Fills <paramref name="destination"/> with cryptographically secure random bytes.</summary>
    void GetRandomBytes(Span<byte> destination);
}
