using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>Writes RFC 6960 OCSP responses (one SingleResponse, responder identified by name) for tests.</summary>
internal static class OcspResponseBuilder
{
    private enum ResponseStatus
    {
        Successful = 0,
    }

    public static byte[] Build(
        X509Certificate2 certificate, X509Certificate2 issuer, ECDsa signerKey, X500DistinguishedName responder,
        bool revoked, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate)
    {
        var tbs = new AsnWriter(AsnEncodingRules.DER);
        using (tbs.PushSequence())
        {
            using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
            {
                tbs.WriteEncodedValue(responder.RawData);
            }

            tbs.WriteGeneralizedTime(thisUpdate, omitFractionalSeconds: true);
            using (tbs.PushSequence())
            using (tbs.PushSequence())
            {
                using (tbs.PushSequence())
                {
                    using (tbs.PushSequence())
                    {
                        tbs.WriteObjectIdentifier("2.16.840.1.101.3.4.2.1");
                        tbs.WriteNull();
                    }

                    tbs.WriteOctetString(SHA256.HashData(issuer.SubjectName.RawData));
                    tbs.WriteOctetString(SHA256.HashData(issuer.PublicKey.EncodedKeyValue.RawData));
                    tbs.WriteInteger(new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: false, isBigEndian: true));
                }

                if (revoked)
                {
                    using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1, isConstructed: true)))
                    {
                        tbs.WriteGeneralizedTime(thisUpdate.AddDays(-1), omitFractionalSeconds: true);
                    }
                }
                else
                {
                    tbs.WriteNull(new Asn1Tag(TagClass.ContextSpecific, 0));
                }

                tbs.WriteGeneralizedTime(thisUpdate, omitFractionalSeconds: true);
                if (nextUpdate is { } next)
                {
                    using (tbs.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        tbs.WriteGeneralizedTime(next, omitFractionalSeconds: true);
                    }
                }
            }
        }

        var tbsBytes = tbs.Encode();
        var basic = new AsnWriter(AsnEncodingRules.DER);
        using (basic.PushSequence())
        {
            basic.WriteEncodedValue(tbsBytes);
            using (basic.PushSequence())
            {
                basic.WriteObjectIdentifier("1.2.840.10045.4.3.3");
            }

            basic.WriteBitString(signerKey.SignData(tbsBytes, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
        }

        var response = new AsnWriter(AsnEncodingRules.DER);
        using (response.PushSequence())
        {
            response.WriteEnumeratedValue(ResponseStatus.Successful);
            using (response.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
            using (response.PushSequence())
            {
                response.WriteObjectIdentifier("1.3.6.1.5.5.7.48.1.1");
                response.WriteOctetString(basic.Encode());
            }
        }

        return response.Encode();
    }
}
