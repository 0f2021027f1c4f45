using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;

namespace SecGear.SecureChannel;

/// <summary>
/// A client's certificate and private key, for servers that require client authentication. The client proves possession
/// by signing the handshake transcript: ECDSA (P-256/P-384 key) for suites 1 and 2, SM2-with-SM3 (sm2p256v1 key) for
/// suite 3.
/// </summary>
public sealed class ClientCredential
{
    private readonly ECDsa? _ecdsa;
    private readonly ECPrivateKeyParameters? _sm2;

    private ClientCredential(byte[] certificate, ECDsa? ecdsa, ECPrivateKeyParameters? sm2)
    {
        Certificate = certificate;
        _ecdsa = ecdsa;
        _sm2 = sm2;
    }

    /// <summary>The certificate (DER) sent to the server.</summary>
    public ReadOnlyMemory<byte> Certificate { get; }

    internal bool IsSm2 => _sm2 is not null;

    /// <summary>A credential from an X.509 certificate with an ECDSA private key (for suites 1 and 2).</summary>
    /// <exception cref="ArgumentException">The certificate has no ECDSA private key.</exception>
    public static ClientCredential FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("the certificate has no ECDSA private key", nameof(certificate));
        return new ClientCredential(certificate.RawData, key, null);
    }

    /// <summary>
    /// A credential from an SM2 certificate (DER, public key on sm2p256v1) and its 32-byte private scalar (for suite 3).
    /// </summary>
    /// <exception cref="ArgumentException">The certificate's key is not an SM2 key, or the private key does not match it.</exception>
    public static ClientCredential FromSm2(ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException("an SM2 private key is 32 bytes", nameof(privateKey));
        }

        var der = certificate.ToArray();
        var publicKey = ClientCertificateVerify.Sm2PublicKey(X509CertificateLoader.LoadCertificate(der))
            ?? throw new ArgumentException("the certificate's public key is not on sm2p256v1", nameof(certificate));
        var d = new BigInteger(1, privateKey);
        if (d.SignValue <= 0 || d.CompareTo(publicKey.Parameters.N) >= 0 || !publicKey.Parameters.G.Multiply(d).Normalize().Equals(publicKey.Q.Normalize()))
        {
            throw new ArgumentException("the private key does not belong to the certificate", nameof(privateKey));
        }

        return new ClientCredential(der, null, new ECPrivateKeyParameters(d, publicKey.Parameters));
    }

    /// <summary>Signs the certificate-verify message for <paramref name="suite"/>.</summary>
    internal byte[] Sign(SuiteInfo suite, ReadOnlySpan<byte> message)
    {
        if (suite.Suite == SecureChannelSuite.EcdheSm2Sm4GcmSm3)
        {
            if (_sm2 is null)
            {
                throw Wire.Fail(SecureChannelFailureCode.ClientCertificateSignatureInvalid, "suite 3 needs an SM2 client certificate; this credential holds an ECDSA key");
            }

            var signer = new SM2Signer();
            signer.Init(true, new ParametersWithRandom(_sm2, new SecureRandom()));
            signer.BlockUpdate(message);
            return signer.GenerateSignature();
        }

        return _ecdsa is null
            ? throw Wire.Fail(SecureChannelFailureCode.ClientCertificateSignatureInvalid, $"suite {suite.Suite} needs an ECDSA client certificate; this credential holds an SM2 key")
            : _ecdsa.SignData(message, suite.EcdsaHash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
