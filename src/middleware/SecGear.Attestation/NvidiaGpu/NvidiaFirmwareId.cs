using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// Reads the firmware id that a GH100/LS10 leaf certificate binds: extension <c>2.23.133.5.4.1</c> holding
/// <c>SEQUENCE { INTEGER, SubjectPublicKeyInfo, SEQUENCE { OID sha384, OCTET STRING (48) } }</c> (the RIoT-style
/// composite device identifier). Other shapes are not read: a chain whose leaf lacks this exact extension is not the
/// chain of the signing firmware.
/// </summary>
internal static class NvidiaFirmwareId
{
    /// <summary>The TCG DICE / RIoT composite device identifier extension.</summary>
    public const string ExtensionOid = "2.23.133.5.4.1";

    private const string Sha384Oid = "2.16.840.1.101.3.4.2.2";

    /// <summary>Reads the 48-byte firmware id, or says why it could not be read.</summary>
    public static bool TryRead(X509Certificate2 certificate, [NotNullWhen(true)] out byte[]? firmwareId, [NotNullWhen(false)] out string? problem)
    {
        firmwareId = null;
        problem = null;
        var extension = certificate.Extensions[ExtensionOid];
        if (extension is null)
        {
            problem = $"'{certificate.Subject}' has no firmware id extension {ExtensionOid}";
            return false;
        }

        try
        {
            var outer = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            sequence.ReadInteger();
            sequence.ReadSequence();
            var digest = sequence.ReadSequence();
            sequence.ThrowIfNotEmpty();
            string algorithm = digest.ReadObjectIdentifier();
            var value = digest.ReadOctetString();
            digest.ThrowIfNotEmpty();
            if (algorithm != Sha384Oid || value.Length != 48)
            {
                problem = $"the firmware id in '{certificate.Subject}' is a {value.Length}-byte {algorithm} digest, expected a 48-byte SHA-384 ({Sha384Oid})";
                return false;
            }

            firmwareId = value;
            return true;
        }
        catch (AsnContentException ex)
        {
            problem = $"the firmware id extension of '{certificate.Subject}' is not SEQUENCE {{ INTEGER, SubjectPublicKeyInfo, SEQUENCE {{ OID, OCTET STRING }} }}: {ex.Message}";
            return false;
        }
    }
}
