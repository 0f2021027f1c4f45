using System.Security.Cryptography;
using SecGear.Identity;

namespace SecGear.Trusted.Attestation;

/// <summary>
/// The outcome of a local attestation exchange: the peer enclave's verified identity (on this same platform) and a
/// 32-byte session key only the two enclaves know. Dispose it to zero the key.
/// </summary>
public sealed class LocalAttestationSession : IDisposable
{
    private readonly byte[] _key;
    private bool _disposed;

    internal LocalAttestationSession(EnclaveIdentity peer, byte[] key)
    {
        Peer = peer;
        _key = key;
    }

    /// <summary>The identity of the enclave at the other end, proven by its local report.</summary>
    public EnclaveIdentity Peer { get; }

    /// <summary>The shared session key (32 bytes), e.g. for AES-GCM between the two enclaves. Never log it.</summary>
    /// <exception cref="ObjectDisposedException">The session has been disposed.</exception>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>Zeroes the session key.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _disposed = true;
    }
}
