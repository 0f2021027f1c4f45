using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace SecGear.SecureChannel;

/// <summary>
/// The client's proof of possession: a signature over
/// <c>"secgear-sc v1 client certificate verify" | 0x00 | Hash(ClientHello.body | ServerHello.body | ClientKey.body up to and including the certificate)</c>,
/// ECDSA (IEEE P1363 r|s, suite hash) for suites 1 and 2, SM2-with-SM3 (DER, default user id) for suite 3.
/// </summary>
internal static class ClientCertificateVerify
{
    private const string EcPublicKeyOid = "1.2.840.10045.2.1";

    // DER of OID 1.2.156.10197.1.301 (sm2p256v1, GB/T 32918.5).
    private static readonly byte[] Sm2CurveOid = [0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D];

    private static readonly byte[] Context = Encoding.ASCII.GetBytes("secgear-sc v1 client certificate verify\0");

    public static byte[] Message(SuiteInfo suite, ReadOnlySpan<byte> clientHello, ReadOnlySpan<byte> serverHello, ReadOnlySpan<byte> clientKeyUpToCertificate) =>
        [.. Context, .. suite.HashData([.. clientHello, .. serverHello, .. clientKeyUpToCertificate])];

    /// <summary>
    /// The certificate's SM2 public key, or null when its key is not an EC key on sm2p256v1 (named curve
    /// 1.2.156.10197.1.301) or not a valid point of that curve. Read with the platform's X.509 parser, so no hostile
    /// ASN.1 reaches BouncyCastle.
    /// </summary>
    public static ECPublicKeyParameters? Sm2PublicKey(X509Certificate2 certificate)
    {
        var key = certificate.PublicKey;
        if (key.Oid.Value != EcPublicKeyOid || key.EncodedParameters?.RawData is not { } curve || !curve.AsSpan().SequenceEqual(Sm2CurveOid))
        {
            return null;
        }

        try
        {
            return new ECPublicKeyParameters(Sm2EphemeralKey.DecodePoint(key.EncodedKeyValue.RawData), Sm2EphemeralKey.DomainParameters);
        }
        catch (SecureChannelException)
        {
            return null;
        }
    }

    /// <summary>Checks the signature with the certificate's key; a key of the wrong kind for the suite fails too.</summary>
    public static void Verify(SuiteInfo suite, X509Certificate2 certificate, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        bool valid;
        if (suite.Suite == SecureChannelSuite.EcdheSm2Sm4GcmSm3)
        {
            var key = Sm2PublicKey(certificate)
                ?? throw Wire.Fail(SecureChannelFailureCode.ClientCertificateSignatureInvalid, "suite 3 needs a client certificate with an SM2 (sm2p256v1) key");
            var verifier = new SM2Signer();
            verifier.Init(false, key);
            verifier.BlockUpdate(message);
            valid = verifier.VerifySignature(signature.ToArray());
        }
        else
        {
            using var key = Sm2PublicKey(certificate) is null ? EcdsaPublicKey(certificate) : null;
            if (key is null)
            {
                throw Wire.Fail(SecureChannelFailureCode.ClientCertificateSignatureInvalid, $"suite {suite.Suite} needs a client certificate with an ECDSA (NIST curve) key");
            }

            valid = key.VerifyData(message, signature, suite.EcdsaHash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (!valid)
        {
            throw Wire.Fail(SecureChannelFailureCode.ClientCertificateSignatureInvalid, "the client's signature over the handshake does not verify with its certificate's key");
        }
    }

    private static ECDsa? EcdsaPublicKey(X509Certificate2 certificate)
    {
        try
        {
            return certificate.GetECDsaPublicKey();
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
