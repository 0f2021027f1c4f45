using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>The primitives behind a <see cref="SecureChannelSuite"/>: key exchange, hash/HMAC/HKDF and record AEAD.</summary>
internal sealed class SuiteInfo
{
    public static readonly SuiteInfo P256 = new(SecureChannelSuite.EcdheP256Aes256GcmSha256, ECCurve.NamedCurves.nistP256, 32, new PlatformSuiteHash(HashAlgorithmName.SHA256, 32), 32);
    public static readonly SuiteInfo P384 = new(SecureChannelSuite.EcdheP384Aes256GcmSha384, ECCurve.NamedCurves.nistP384, 48, new PlatformSuiteHash(HashAlgorithmName.SHA384, 48), 32);
    public static readonly SuiteInfo Sm2 = new(SecureChannelSuite.EcdheSm2Sm4GcmSm3, default, 32, new Sm3SuiteHash(), Sm4GcmRecordCipher.KeyLength);

    private SuiteInfo(SecureChannelSuite suite, ECCurve curve, int coordinateLength, SuiteHash hash, int cipherKeyLength)
    {
        Suite = suite;
        Curve = curve;
        CoordinateLength = coordinateLength;
        Hash = hash;
        CipherKeyLength = cipherKeyLength;
    }

    public SecureChannelSuite Suite { get; }

    /// <summary>The platform curve of the ECDHE suites (unused by the SM suite, whose curve comes from BouncyCastle).</summary>
    public ECCurve Curve { get; }

    public int CoordinateLength { get; }

    public int PublicKeyLength => 1 + (2 * CoordinateLength);

    public SuiteHash Hash { get; }

    public int HashLength => Hash.Length;

    public int CipherKeyLength { get; }

    /// <summary>The hash an ECDSA client certificate signature uses in this suite (suites 1 and 2).</summary>
    public HashAlgorithmName EcdsaHash => Suite == SecureChannelSuite.EcdheP384Aes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;

    public static SuiteInfo For(SecureChannelSuite suite) => suite switch
    {
        SecureChannelSuite.EcdheP256Aes256GcmSha256 => P256,
        SecureChannelSuite.EcdheP384Aes256GcmSha384 => P384,
        SecureChannelSuite.EcdheSm2Sm4GcmSm3 => Sm2,
        _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "unknown suite"),
    };

    public EphemeralKey CreateEphemeral() => Suite == SecureChannelSuite.EcdheSm2Sm4GcmSm3 ? new Sm2EphemeralKey() : new EcdhEphemeralKey(this, Curve);

    /// <summary>Checks the uncompressed encoding: the right length and the 0x04 prefix (so never the point at infinity).</summary>
    public void CheckEncoding(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != PublicKeyLength || encoded[0] != 4)
        {
            throw Wire.Fail(SecureChannelFailureCode.InvalidPublicKey, $"a {Suite} public key is {PublicKeyLength} bytes starting 0x04; got {encoded.Length} bytes");
        }
    }

    public RecordCipher CreateCipher(ReadOnlySpan<byte> key) =>
        Suite == SecureChannelSuite.EcdheSm2Sm4GcmSm3 ? new Sm4GcmRecordCipher(key) : new AesGcmRecordCipher(key);

    public byte[] HashData(ReadOnlySpan<byte> data) => Hash.Hash(data);
}
