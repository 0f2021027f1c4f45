namespace SecGear.SecureChannel;

/// <summary>
/// One side's ephemeral key-exchange key for one handshake. The public key is the uncompressed point
/// <c>0x04 | X | Y</c>; the peer's point is validated before any secret is derived from it.
/// </summary>
internal abstract class EphemeralKey : IDisposable
{
    /// <summary>This key's public point, uncompressed.</summary>
    public abstract byte[] PublicKey { get; }

    /// <summary>
    /// The raw shared secret (the X coordinate of the agreed point) with a peer's public point; throws
    /// <see cref="SecureChannelFailureCode.InvalidPublicKey"/> when that point is not a valid point of the curve.
    /// </summary>
    public abstract byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey);

    public abstract void Dispose();
}
