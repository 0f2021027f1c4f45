using System.Formats.Asn1;
using System.Security.Cryptography;

namespace SecGear.Attestation.X509;

/// <summary>
/// The outer shape shared by X.509 certificates and CRLs: <c>SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }</c>.
/// Lets a signature be checked with an issuer key directly, so every chain link is a named, separate check.
/// </summary>
internal sealed class SignedData
{
    /// <summary>ecdsa-with-SHA256: the only signature algorithm in Intel's SGX PKI.</summary>
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private SignedData(ReadOnlyMemory<byte> toBeSigned, string algorithm, byte[] signature)
    {
        ToBeSigned = toBeSigned;
        Algorithm = algorithm;
        Signature = signature;
    }

    /// <summary>The encoded TBSCertificate / TBSCertList, exactly as signed.</summary>
    public ReadOnlyMemory<byte> ToBeSigned { get; }

    /// <summary>The signature algorithm OID.</summary>
    public string Algorithm { get; }

    /// <summary>The signature (DER ECDSA-Sig-Value for ECDSA).</summary>
    public byte[] Signature { get; }

    /// <summary>Splits a DER certificate or CRL. Throws <see cref="AsnContentException"/> or <see cref="CryptographicException"/> when malformed.</summary>
    public static SignedData Parse(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = sequence.ReadEncodedValue();
        var outerAlgorithm = sequence.PeekEncodedValue();
        var algorithm = sequence.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (!InnerAlgorithm(tbs).Span.SequenceEqual(outerAlgorithm.Span))
        {
            // RFC 5280 4.1.1.2 / 5.1.1.2: the unsigned outer algorithm must repeat the signed one, or a changed outer
            // field (e.g. RSASSA-PSS parameters) would pass unnoticed.
            throw new CryptographicException("the signature algorithm outside the signed part differs from the one inside it");
        }

        var signature = sequence.ReadBitString(out int unused);
        sequence.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw new CryptographicException("signature BIT STRING has unused bits");
        }

        return new SignedData(tbs, oid, signature);
    }

    /// <summary>
    /// The signature AlgorithmIdentifier inside a TBSCertificate (after the optional [0] version and the serial number)
    /// or a TBSCertList (after the optional version): the first SEQUENCE among its leading fields.
    /// </summary>
    private static ReadOnlyMemory<byte> InnerAlgorithm(ReadOnlyMemory<byte> tbs)
    {
        var fields = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        for (int i = 0; i < 3 && fields.HasData; i++)
        {
            if (fields.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                return fields.PeekEncodedValue();
            }

            fields.ReadEncodedValue();
        }

        throw new CryptographicException("the signed part has no signature algorithm");
    }

    /// <summary>True when the signature is ecdsa-with-SHA256 and verifies with <paramref name="issuerKey"/>.</summary>
    public bool IsSignedBy(ECDsa issuerKey)
    {
        if (Algorithm != EcdsaWithSha256)
        {
            return false;
        }

        try
        {
            return issuerKey.VerifyData(ToBeSigned.Span, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
