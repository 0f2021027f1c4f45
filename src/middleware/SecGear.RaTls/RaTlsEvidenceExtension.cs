using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls;

/// <summary>
/// The X.509 extension that carries attestation evidence in an RA-TLS certificate (layout in docs/ra-tls.md):
/// <c>RaTlsEvidence ::= SEQUENCE { version INTEGER (1), evidence OCTET STRING }</c>, non-critical, under
/// <see cref="Oid"/>.
/// </summary>
public static class RaTlsEvidenceExtension
{
    /// <summary>
    /// The extension's object identifier: a UUID-derived OID (ITU-T X.667, arc 2.25) allocated for SecGear.NET, so it
    /// needs no registration and cannot collide with Intel's SGX-quote OID or Open Enclave's evidence OIDs, whose
    /// payload formats differ from ours.
    /// </summary>
    public const string Oid = "2.25.103071025725617676115688853416527637516";

    /// <summary>The only layout version this library writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The largest evidence accepted in the extension (64 KiB): bigger than any supported TEE's evidence.</summary>
    public const int MaxEvidenceLength = 64 * 1024;

    /// <summary>Builds the non-critical extension carrying <paramref name="evidence"/>.</summary>
    /// <exception cref="ArgumentException">The evidence is empty or longer than <see cref="MaxEvidenceLength"/>.</exception>
    public static X509Extension Create(ReadOnlySpan<byte> evidence)
    {
        if (evidence.IsEmpty || evidence.Length > MaxEvidenceLength)
        {
            throw new ArgumentException($"Evidence must be 1..{MaxEvidenceLength} bytes; got {evidence.Length}.", nameof(evidence));
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(Version);
            writer.WriteOctetString(evidence);
        }

        return new X509Extension(Oid, writer.Encode(), critical: false);
    }

    /// <summary>
    /// Reads the evidence from an extension value. Returns false with a reason when the DER is malformed, the version
    /// is not <see cref="Version"/>, the evidence is empty or too long, or bytes follow the structure.
    /// </summary>
    public static bool TryReadEvidence(
        ReadOnlyMemory<byte> extensionValue, [NotNullWhen(true)] out byte[]? evidence, [NotNullWhen(false)] out string? error)
    {
        evidence = null;
        try
        {
            var reader = new AsnReader(extensionValue, AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            if (!sequence.TryReadInt32(out int version) || version != Version)
            {
                error = $"the evidence extension has layout version other than {Version}";
                return false;
            }

            var value = sequence.ReadOctetString();
            sequence.ThrowIfNotEmpty();
            if (value.Length == 0 || value.Length > MaxEvidenceLength)
            {
                error = $"the evidence in the extension is {value.Length} bytes; 1..{MaxEvidenceLength} are accepted";
                return false;
            }

            evidence = value;
            error = null;
            return true;
        }
        catch (AsnContentException ex)
        {
            error = $"the evidence extension is not valid DER: {ex.Message}";
            return false;
        }
    }
}
