using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// The trustee JSON envelope of Azure vTPM evidence. Version 0 (no <c>version</c>): <c>quote</c>/<c>tpm_quote</c> with
/// byte arrays, <c>report</c>/<c>hcl_report</c> as a byte array, <c>vcek</c> PEM. Versions 1 and 2: hex
/// <c>tpm_quote</c> fields, base64url <c>hcl_report</c>, <c>vcek</c> (DER) and <c>td_quote</c>. Decodes only.
/// </summary>
public sealed class AzureVtpmEvidence
{
    private const int MaxField = 256 * 1024;

    /// <summary>Envelope version (0, 1 or 2).</summary>
    public required int Version { get; init; }

    /// <summary>The HCL report bytes.</summary>
    public required byte[] HclReport { get; init; }

    /// <summary>The TPM quote's TPMS_ATTEST bytes.</summary>
    public required byte[] QuoteMessage { get; init; }

    /// <summary>The TPM quote's signature.</summary>
    public required byte[] QuoteSignature { get; init; }

    /// <summary>The PCR values supplied with the quote (possibly none).</summary>
    public required IReadOnlyList<byte[]> Pcrs { get; init; }

    /// <summary>The VCEK certificate (DER) of an SEV-SNP envelope, when present.</summary>
    public byte[]? Vcek { get; init; }

    /// <summary>The Intel-signed TD quote of a TDX envelope, when present.</summary>
    public byte[]? TdQuote { get; init; }

    /// <summary>Parses the envelope. Returns false and a failure naming the field when it cannot be decoded.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> data, [NotNullWhen(true)] out AzureVtpmEvidence? evidence, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        evidence = null;
        failure = null;
        if (data.IsEmpty)
        {
            failure = new(AttestationFailureCode.EvidenceEmpty, "the Azure vTPM evidence is empty");
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(data, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("the envelope is not a JSON object");
            }

            int version = root.TryGetProperty("version", out var v) ? v.GetInt32() : 0;
            if (version is < 0 or > 2)
            {
                failure = new(AttestationFailureCode.UnsupportedEvidenceVersion, string.Create(CultureInfo.InvariantCulture, $"Azure vTPM evidence version {version}, expected 0, 1 or 2"));
                return false;
            }

            var quote = Property(root, "tpm_quote", "quote");
            var report = Property(root, "hcl_report", "report");
            if (quote.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("'tpm_quote' is not an object");
            }

            var pcrs = new List<byte[]>();
            if (quote.TryGetProperty("pcrs", out var pcrArray))
            {
                if (pcrArray.ValueKind != JsonValueKind.Array || pcrArray.GetArrayLength() > 64)
                {
                    throw new FormatException("'pcrs' is not an array of at most 64 values");
                }

                foreach (var pcr in pcrArray.EnumerateArray())
                {
                    var value = Bytes(pcr, hex: true, "pcr");
                    pcrs.Add(value.Length == 32 ? value : throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"a PCR value is {value.Length} bytes, expected 32 (SHA-256 bank)")));
                }
            }

            byte[]? vcek = null;
            if (root.TryGetProperty("vcek", out var vcekElement))
            {
                vcek = vcekElement.ValueKind == JsonValueKind.String && vcekElement.GetString()!.Contains("-----BEGIN", StringComparison.Ordinal)
                    ? PemCertificates.Read(System.Text.Encoding.ASCII.GetBytes(vcekElement.GetString()!)) is [var only] ? only.RawData : throw new FormatException("'vcek' holds more than one certificate")
                    : Bytes(vcekElement, hex: false, "vcek");
            }

            evidence = new AzureVtpmEvidence
            {
                Version = version,
                HclReport = Bytes(report, hex: false, "hcl_report"),
                QuoteMessage = Bytes(Property(quote, "message"), hex: true, "message"),
                QuoteSignature = Bytes(Property(quote, "signature"), hex: true, "signature"),
                Pcrs = pcrs,
                Vcek = vcek,
                TdQuote = root.TryGetProperty("td_quote", out var td) ? Bytes(td, hex: false, "td_quote") : null,
            };
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            failure = new(AttestationFailureCode.EvidenceMalformed, $"Azure vTPM evidence envelope: {ex.Message}");
            return false;
        }
    }

    private static JsonElement Property(JsonElement element, params string[] names)
    {
        foreach (var name in names)
        {
            if (element.TryGetProperty(name, out var value))
            {
                return value;
            }
        }

        throw new FormatException($"the field '{names[0]}' is missing");
    }

    /// <summary>A byte field: an array of byte values, or a string (hex for quote fields, base64url for reports and certificates).</summary>
    private static byte[] Bytes(JsonElement element, bool hex, string name)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            int length = element.GetArrayLength();
            if (length > MaxField)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{name}' has {length} bytes, the limit is {MaxField}"));
            }

            var bytes = new byte[length];
            int i = 0;
            foreach (var item in element.EnumerateArray())
            {
                bytes[i++] = item.GetByte();
            }

            return bytes;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"'{name}' is neither a byte array nor a string");
        }

        string text = element.GetString()!;
        if (text.Length > MaxField * 2)
        {
            throw new FormatException($"'{name}' is longer than the limit");
        }

        return hex ? Convert.FromHexString(text) : HclRuntimeData.Base64UrlBytes(text) ?? throw new FormatException($"'{name}' is not base64url");
    }
}
