using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace SecGear.SecureChannel;

/// <summary>
/// The client's proof of possession: a signature over
/// <c>"secgear-sc v1 client certificate verify" | 0x00 | Hash(ClientHello.body | ServerHello.body | ClientKey.body up to and including the certificate)</c>,
/// ECDSA (IEEE P1363 r|s, suite hash) for suites 1 and 2, SM2-with-SM3 (DER, default user id) for suite 3.
/// </summary>
internal static class ClientCertificateVerify
{
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("secgear-sc v1 client certificate verify\0");

    public static byte[] Message(SuiteInfo suite, ReadOnlySpan<byte> clientHello, ReadOnlySpan<byte> serverHello, ReadOnlySpan<byte> clientKeyUpToCertificate) =>
        [.. Context, .. suite.HashData([.. clientHello, .. serverHello, .. clientKeyUpToCertificate])];

    /// <summary>The certificate's SM2 public key on the suite's curve, or null when its key is not on sm2p256v1.</summary>
    public static ECPublicKeyParameters? Sm2PublicKey(X509Certificate2 certificate)
    {
        try
        {
            if (PublicKeyFactory.CreateKey(certificate.PublicKey.ExportSubjectPublicKeyInfo()) is not ECPublicKeyParameters key)
            {
                return null;
            }

            var domain = Sm2EphemeralKey.DomainParameters;
            if (!key.Parameters.N.Equals(domain.N) || !key.Parameters.G.Equals(domain.G))
            {
                return null;
            }

            return new ECPublicKeyParameters(domain.Curve.DecodePoint(key.Q.GetEncoded(false)), domain);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or SecurityUtilityException or CryptographicException)
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
                ?? throw Wire.Fail(SecureChannelFailureReason.ClientCertificateSignatureInvalid, "suite 3 needs a client certificate with an SM2 (sm2p256v1) key");
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
                throw Wire.Fail(SecureChannelFailureReason.ClientCertificateSignatureInvalid, $"suite {suite.Suite} needs a client certificate with an ECDSA (NIST curve) key");
            }

            valid = key.VerifyData(message, signature, suite.EcdsaHash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (!valid)
        {
            throw Wire.Fail(SecureChannelFailureReason.ClientCertificateSignatureInvalid, "the client's signature over the handshake does not verify with its certificate's key");
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
