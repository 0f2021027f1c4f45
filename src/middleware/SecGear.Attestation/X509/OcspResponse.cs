using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.X509;

/// <summary>
/// A parsed OCSP response (RFC 6960): a successful <c>id-pkix-ocsp-basic</c> response with its signed data, signer
/// certificates and single responses. Checking which certificate a single response is about, who signed it and when
/// it is current is done by <see cref="TryGetStatus"/>.
/// </summary>
internal sealed class OcspResponse
{
    private const string BasicResponseOid = "1.3.6.1.5.5.7.48.1.1";
    private const string OcspSigningOid = "1.3.6.1.5.5.7.3.9";

    private OcspResponse(byte[] toBeSigned, string algorithm, byte[] signature, byte[]? responderName, byte[]? responderKeyHash, IReadOnlyList<X509Certificate2> certificates, IReadOnlyList<SingleResponse> responses)
    {
        ToBeSigned = toBeSigned;
        Algorithm = algorithm;
        Signature = signature;
        ResponderName = responderName;
        ResponderKeyHash = responderKeyHash;
        Certificates = certificates;
        Responses = responses;
    }

    /// <summary>A certificate status.</summary>
    public enum Status
    {
        /// <summary>Not revoked.</summary>
        Good,

        /// <summary>Revoked.</summary>
        Revoked,

        /// <summary>The responder does not know the certificate.</summary>
        Unknown,
    }

    /// <summary>The encoded tbsResponseData.</summary>
    public byte[] ToBeSigned { get; }

    /// <summary>The signature algorithm OID.</summary>
    public string Algorithm { get; }

    /// <summary>The signature bytes.</summary>
    public byte[] Signature { get; }

    /// <summary>The responder's Name (DER) when identified by name.</summary>
    public byte[]? ResponderName { get; }

    /// <summary>The SHA-1 of the responder's key when identified by key hash.</summary>
    public byte[]? ResponderKeyHash { get; }

    /// <summary>Certificates carried in the response (a delegated responder's).</summary>
    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>The single responses.</summary>
    public IReadOnlyList<SingleResponse> Responses { get; }

    /// <summary>Parses a DER OCSP response. Throws <see cref="CryptographicException"/> when it is malformed or not successful.</summary>
    public static OcspResponse Parse(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var response = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var status = response.ReadEnumeratedBytes();
            if (status.Length != 1 || status.Span[0] != 0)
            {
                throw new CryptographicException($"the OCSP response status is {Convert.ToHexString(status.Span)}, not successful (0)");
            }

            var bytes = response.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
            string type = bytes.ReadObjectIdentifier();
            if (type != BasicResponseOid)
            {
                throw new CryptographicException($"the OCSP response type is {type}, expected id-pkix-ocsp-basic");
            }

            var basic = new AsnReader(bytes.ReadOctetString(), AsnEncodingRules.DER).ReadSequence();
            var tbsEncoded = basic.ReadEncodedValue().ToArray();
            string algorithm = basic.ReadSequence().ReadObjectIdentifier();
            var signature = basic.ReadBitString(out int unusedBits);
            if (unusedBits != 0)
            {
                throw new CryptographicException("the OCSP signature BIT STRING has unused bits");
            }

            var certificates = new List<X509Certificate2>();
            if (basic.HasData)
            {
                var certs = basic.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
                while (certs.HasData && certificates.Count < PemCertificates.MaxCertificates)
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(certs.ReadEncodedValue().Span));
                }
            }

            var tbs = new AsnReader(tbsEncoded, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            }

            byte[]? responderName = null, responderKeyHash = null;
            var responder = tbs.PeekTag();
            if (responder.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                responderName = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)).ReadEncodedValue().ToArray();
            }
            else
            {
                responderKeyHash = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, isConstructed: true)).ReadOctetString();
            }

            tbs.ReadGeneralizedTime();
            var singles = tbs.ReadSequence();
            var responses = new List<SingleResponse>();
            while (singles.HasData)
            {
                responses.Add(SingleResponse.Read(singles.ReadSequence()));
            }

            return new OcspResponse(tbsEncoded, algorithm, signature, responderName, responderKeyHash, certificates, responses);
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException($"the OCSP response is not valid DER: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The status this response gives <paramref name="certificate"/> (issued by <paramref name="issuer"/>) at
    /// <paramref name="time"/>; <paramref name="status"/> is null when the response is not about it. False, with the
    /// <paramref name="problem"/>, when the response is about it but is not signed by the issuer or its delegated
    /// responder, or is not current.
    /// </summary>
    public bool TryGetStatus(
        X509Certificate2 certificate,
        X509Certificate2 issuer,
        DateTimeOffset time,
        TimeSpan maxAgeWithoutNextUpdate,
        out Status? status,
        [NotNullWhen(false)] out string? problem)
    {
        status = null;
        problem = null;
        var single = Responses.FirstOrDefault(r => r.IsAbout(certificate, issuer));
        if (single is null)
        {
            return true;
        }

        if (!IsSignedByIssuerOrDelegate(issuer, time))
        {
            problem = $"the OCSP response about '{certificate.Subject}' is not signed by '{issuer.Subject}' nor by a responder it delegated";
            return false;
        }

        var until = single.NextUpdate ?? single.ThisUpdate + maxAgeWithoutNextUpdate;
        if (time < single.ThisUpdate || time > until)
        {
            problem = $"the OCSP response about '{certificate.Subject}' is current {single.ThisUpdate.UtcDateTime:u}..{until.UtcDateTime:u}, not at {time.UtcDateTime:u}";
            return false;
        }

        status = single.CertificateStatus;
        return true;
    }

    private bool IsSignedByIssuerOrDelegate(X509Certificate2 issuer, DateTimeOffset time)
    {
        if (Identifies(issuer))
        {
            return Verifies(issuer);
        }

        var responder = Certificates.FirstOrDefault(Identifies);
        return responder is not null
            && responder.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)
            && AwsNitro.NitroCertificateSignature.IsSignedBy(responder, issuer)
            && responder.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == OcspSigningOid))
            && time >= responder.NotBefore.ToUniversalTime() && time <= responder.NotAfter.ToUniversalTime()
            && Verifies(responder);
    }

    private bool Identifies(X509Certificate2 certificate) => ResponderName is not null
        ? certificate.SubjectName.RawData.AsSpan().SequenceEqual(ResponderName)
        : SHA1.HashData(certificate.PublicKey.EncodedKeyValue.RawData).AsSpan().SequenceEqual(ResponderKeyHash);

    private bool Verifies(X509Certificate2 signer)
    {
        HashAlgorithmName? hash = Algorithm switch
        {
            "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => null,
        };
        try
        {
            using var key = signer.GetECDsaPublicKey();
            return hash is { } name && key is not null && key.VerifyData(ToBeSigned, Signature, name, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>One SingleResponse of the response.</summary>
    internal sealed record SingleResponse(string HashAlgorithm, byte[] IssuerNameHash, byte[] IssuerKeyHash, BigInteger Serial, Status CertificateStatus, DateTimeOffset ThisUpdate, DateTimeOffset? NextUpdate)
    {
        public static SingleResponse Read(AsnReader single)
        {
            var certId = single.ReadSequence();
            string hash = certId.ReadSequence().ReadObjectIdentifier();
            var nameHash = certId.ReadOctetString();
            var keyHash = certId.ReadOctetString();
            var serial = certId.ReadInteger();
            var tag = single.PeekTag();
            Status status;
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 0)
            {
                single.ReadNull(new Asn1Tag(TagClass.ContextSpecific, 0));
                status = Status.Good;
            }
            else if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 1)
            {
                single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1));
                status = Status.Revoked;
            }
            else
            {
                single.ReadNull(new Asn1Tag(TagClass.ContextSpecific, 2));
                status = Status.Unknown;
            }

            var thisUpdate = single.ReadGeneralizedTime();
            DateTimeOffset? nextUpdate = null;
            if (single.HasData && single.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            {
                nextUpdate = single.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)).ReadGeneralizedTime();
            }

            return new SingleResponse(hash, nameHash, keyHash, serial, status, thisUpdate, nextUpdate);
        }

        public bool IsAbout(X509Certificate2 certificate, X509Certificate2 issuer)
        {
            HashAlgorithmName? name = HashAlgorithm switch
            {
                "1.3.14.3.2.26" => HashAlgorithmName.SHA1,
                "2.16.840.1.101.3.4.2.1" => HashAlgorithmName.SHA256,
                "2.16.840.1.101.3.4.2.2" => HashAlgorithmName.SHA384,
                "2.16.840.1.101.3.4.2.3" => HashAlgorithmName.SHA512,
                _ => null,
            };
            if (name is not { } algorithm)
            {
                return false;
            }

            var serial = new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true);
            return serial == Serial
                && CryptographicOperations.HashData(algorithm, issuer.SubjectName.RawData).AsSpan().SequenceEqual(IssuerNameHash)
                && CryptographicOperations.HashData(algorithm, issuer.PublicKey.EncodedKeyValue.RawData).AsSpan().SequenceEqual(IssuerKeyHash);
        }
    }
}
