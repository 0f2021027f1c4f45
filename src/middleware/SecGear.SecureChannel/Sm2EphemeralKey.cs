using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace SecGear.SecureChannel;

/// <summary>
/// An ECDHE key on the SM2 curve sm2p256v1 (GB/T 32918.5), from BouncyCastle. This is the key exchange RFC 8998 uses
/// for TLS 1.3 with curveSM2: plain ephemeral ECDH, not the GB/T 32918.3 protocol, which needs static keys on both sides.
/// </summary>
internal sealed class Sm2EphemeralKey : EphemeralKey
{
    private static readonly ECDomainParameters Domain = CreateDomain();
    private ECPrivateKeyParameters? _privateKey;

    public Sm2EphemeralKey()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Domain, new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        _privateKey = (ECPrivateKeyParameters)pair.Private;
        PublicKey = ((ECPublicKeyParameters)pair.Public).Q.GetEncoded(false);
    }

    public override byte[] PublicKey { get; }

    public override byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        var key = _privateKey ?? throw new ObjectDisposedException(nameof(Sm2EphemeralKey));
        var peer = new ECPublicKeyParameters(DecodePoint(peerPublicKey), Domain);
        var agreement = new ECDHBasicAgreement();
        agreement.Init(key);
        try
        {
            // Fixed-length X coordinate, as TLS 1.3 and RFC 8998 use it.
            return BigIntegers.AsUnsignedByteArray(agreement.GetFieldSize(), agreement.CalculateAgreement(peer));
        }
        catch (InvalidOperationException)
        {
            // BouncyCastle refuses an agreement that lands on the point at infinity.
            throw Wire.Fail(SecureChannelFailureCode.InvalidPublicKey, "the peer's SM2 public key gives no valid shared point");
        }
    }

    public override void Dispose() => _privateKey = null;

    /// <summary>Decodes a peer's uncompressed point, refusing anything that is not a finite point on sm2p256v1.</summary>
    public static ECPoint DecodePoint(ReadOnlySpan<byte> encoded)
    {
        SuiteInfo.Sm2.CheckEncoding(encoded);
        ECPoint point;
        try
        {
            // DecodePoint checks that (X, Y) satisfies the curve equation; the cofactor of sm2p256v1 is 1, so a point
            // on the curve is in the prime-order group.
            point = Domain.Curve.DecodePoint(encoded.ToArray());
        }
        catch (ArgumentException)
        {
            throw Wire.Fail(SecureChannelFailureCode.InvalidPublicKey, "the peer's public key is not a point on the SM2 curve");
        }

        return point.IsInfinity || !point.IsValid()
            ? throw Wire.Fail(SecureChannelFailureCode.InvalidPublicKey, "the peer's public key is not a finite point on the SM2 curve")
            : point;
    }

    /// <summary>The sm2p256v1 domain parameters in use.</summary>
    internal static ECDomainParameters DomainParameters => Domain;

    private static ECDomainParameters CreateDomain()
    {
        // The same domain as GMNamedCurves' sm2p256v1 (GB/T 32918.5), on BouncyCastle's dedicated SM2P256V1Curve whose
        // fixed-width field arithmetic is about five times faster than the generic FpCurve GMNamedCurves returns.
        var curve = CustomNamedCurves.GetByName("sm2p256v1");
        return new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H, curve.GetSeed());
    }
}
