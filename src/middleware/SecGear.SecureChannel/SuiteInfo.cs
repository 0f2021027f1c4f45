using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>The primitives behind a <see cref="SecureChannelSuite"/>.</summary>
internal sealed class SuiteInfo
{
    private static readonly SuiteInfo P256 = new(SecureChannelSuite.EcdheP256Aes256GcmSha256, ECCurve.NamedCurves.nistP256, 32, HashAlgorithmName.SHA256, 32);
    private static readonly SuiteInfo P384 = new(SecureChannelSuite.EcdheP384Aes256GcmSha384, ECCurve.NamedCurves.nistP384, 48, HashAlgorithmName.SHA384, 48);

    private SuiteInfo(SecureChannelSuite suite, ECCurve curve, int coordinateLength, HashAlgorithmName hash, int hashLength)
    {
        Suite = suite;
        Curve = curve;
        CoordinateLength = coordinateLength;
        Hash = hash;
        HashLength = hashLength;
    }

    public SecureChannelSuite Suite { get; }

    public ECCurve Curve { get; }

    public int CoordinateLength { get; }

    public int PublicKeyLength => 1 + (2 * CoordinateLength);

    public HashAlgorithmName Hash { get; }

    public int HashLength { get; }

    public static SuiteInfo For(SecureChannelSuite suite) => suite switch
    {
        SecureChannelSuite.EcdheP256Aes256GcmSha256 => P256,
        SecureChannelSuite.EcdheP384Aes256GcmSha384 => P384,
        _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "unknown suite"),
    };

    public ECDiffieHellman CreateEphemeral() => ECDiffieHellman.Create(Curve);

    /// <summary>The uncompressed point 0x04 || X || Y of a key.</summary>
    public byte[] ExportPublic(ECDiffieHellman key)
    {
        var parameters = key.ExportParameters(false);
        var encoded = new byte[PublicKeyLength];
        encoded[0] = 4;
        parameters.Q.X!.CopyTo(encoded, 1);
        parameters.Q.Y!.CopyTo(encoded, 1 + CoordinateLength);
        return encoded;
    }

    /// <summary>Imports a peer's uncompressed point, refusing anything that is not a valid point on the curve.</summary>
    public ECDiffieHellman ImportPublic(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != PublicKeyLength || encoded[0] != 4)
        {
            throw Wire.Fail(SecureChannelFailureReason.InvalidPublicKey, $"a {Suite} public key is {PublicKeyLength} bytes starting 0x04; got {encoded.Length} bytes");
        }

        var parameters = new ECParameters
        {
            Curve = Curve,
            Q = new ECPoint { X = encoded.Slice(1, CoordinateLength).ToArray(), Y = encoded.Slice(1 + CoordinateLength, CoordinateLength).ToArray() },
        };
        try
        {
            parameters.Validate();
            return ECDiffieHellman.Create(parameters);
        }
        catch (CryptographicException)
        {
            throw Wire.Fail(SecureChannelFailureReason.InvalidPublicKey, $"the peer's public key is not a point on the {Suite} curve");
        }
    }

    public byte[] HashData(ReadOnlySpan<byte> data) => CryptographicOperations.HashData(Hash, data);
}
