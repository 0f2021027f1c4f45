using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>An ECDHE key on a NIST curve, from the platform's <see cref="ECDiffieHellman"/>.</summary>
internal sealed class EcdhEphemeralKey : EphemeralKey
{
    private readonly SuiteInfo _suite;
    private readonly ECDiffieHellman _key;

    public EcdhEphemeralKey(SuiteInfo suite, ECCurve curve)
    {
        _suite = suite;
        _key = ECDiffieHellman.Create(curve);
        var parameters = _key.ExportParameters(false);
        var encoded = new byte[suite.PublicKeyLength];
        encoded[0] = 4;
        parameters.Q.X!.CopyTo(encoded, 1);
        parameters.Q.Y!.CopyTo(encoded, 1 + suite.CoordinateLength);
        PublicKey = encoded;
    }

    public override byte[] PublicKey { get; }

    public override byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        using var peer = Import(_suite, peerPublicKey);
        return _key.DeriveRawSecretAgreement(peer.PublicKey);
    }

    public override void Dispose() => _key.Dispose();

    /// <summary>Imports a peer's uncompressed point; the platform refuses a point that is not on the curve.</summary>
    public static ECDiffieHellman Import(SuiteInfo suite, ReadOnlySpan<byte> encoded)
    {
        suite.CheckEncoding(encoded);
        var parameters = new ECParameters
        {
            Curve = suite.Curve,
            Q = new ECPoint { X = encoded.Slice(1, suite.CoordinateLength).ToArray(), Y = encoded.Slice(1 + suite.CoordinateLength, suite.CoordinateLength).ToArray() },
        };
        try
        {
            parameters.Validate();
            return ECDiffieHellman.Create(parameters);
        }
        catch (CryptographicException)
        {
            throw Wire.Fail(SecureChannelFailureCode.InvalidPublicKey, $"the peer's public key is not a point on the {suite.Suite} curve");
        }
    }
}
