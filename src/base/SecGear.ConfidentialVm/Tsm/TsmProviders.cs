using System.Buffers.Binary;

namespace SecGear.ConfidentialVm.Tsm;

/// <summary>
/// The configfs-tsm providers this engine knows, the TEE each names, and the shape their outblob must have
/// (Documentation/ABI/testing/configfs-tsm: <c>provider</c> names the outblob's format).
/// </summary>
public static class TsmProviders
{
    /// <summary>Intel TDX guest driver: outblob is a TDX quote (v4 or v5).</summary>
    public const string Tdx = "tdx_guest";

    /// <summary>AMD SEV-SNP guest driver: outblob is an attestation report, auxblob the certificate table.</summary>
    public const string SevSnp = "sev_guest";

    /// <summary>Arm CCA guest driver: outblob is a CCA attestation token.</summary>
    public const string Cca = "arm_cca_guest";

    /// <summary>
    /// Not a configfs-tsm provider: the name the engine gives evidence from an Azure confidential VM's vTPM (HCL report
    /// from TPM NV plus a TPM quote whose nonce is the enclave binding; <see cref="Tpm.AzureVtpmEvidenceSource"/>).
    /// </summary>
    public const string AzureVtpm = "azure_vtpm";

    /// <summary>Size of an SEV-SNP attestation report (versions 2, 3 and 5).</summary>
    public const int SnpReportLength = 1184;

    /// <summary>Smallest TDX quote: 48-byte header, 584-byte TD report body, 4-byte signature-data length.</summary>
    public const int MinTdxQuoteLength = 48 + 584 + 4;

    /// <summary>Offset of REPORTDATA in a TDX v4/v5 quote (header 48 + offset 520 in the TD report body).</summary>
    public const int TdxReportDataOffset = 568;

    /// <summary>Offset of REPORT_DATA in an SEV-SNP attestation report.</summary>
    public const int SnpReportDataOffset = 0x50;

    /// <summary>The TEE <paramref name="provider"/> names; <see cref="ConfidentialVmTee.Unknown"/> when unknown.</summary>
    public static ConfidentialVmTee TeeOf(string provider) => provider switch
    {
        Tdx => ConfidentialVmTee.Tdx,
        SevSnp => ConfidentialVmTee.SevSnp,
        Cca => ConfidentialVmTee.Cca,
        _ => ConfidentialVmTee.Unknown,
    };

    /// <summary>
    /// Checks that <paramref name="outblob"/> has the shape <paramref name="provider"/>'s format requires (length and
    /// leading bytes; the verifier checks everything else).
    /// </summary>
    /// <exception cref="TsmException">Too short, too long for the format, or not in the format.</exception>
    public static void CheckOutblob(string provider, ReadOnlySpan<byte> outblob)
    {
        switch (TeeOf(provider))
        {
            case ConfidentialVmTee.Tdx:
                if (outblob.Length < MinTdxQuoteLength)
                {
                    throw new TsmException(TsmFailureCode.OutblobTooShort, $"the {provider} outblob is {outblob.Length} bytes; a TDX quote is at least {MinTdxQuoteLength}");
                }

                ushort version = BinaryPrimitives.ReadUInt16LittleEndian(outblob);
                uint teeType = BinaryPrimitives.ReadUInt32LittleEndian(outblob[4..]);
                if (version is not (4 or 5) || teeType != 0x81)
                {
                    throw new TsmException(TsmFailureCode.OutblobMalformed, $"the {provider} outblob is not a TDX quote: version {version}, TEE type 0x{teeType:x}; expected version 4 or 5 and TEE type 0x81");
                }

                break;
            case ConfidentialVmTee.SevSnp:
                if (outblob.Length < SnpReportLength)
                {
                    throw new TsmException(TsmFailureCode.OutblobTooShort, $"the {provider} outblob is {outblob.Length} bytes; an SEV-SNP report is {SnpReportLength}");
                }

                if (outblob.Length > SnpReportLength)
                {
                    throw new TsmException(TsmFailureCode.OutblobTooLarge, $"the {provider} outblob is {outblob.Length} bytes; an SEV-SNP report is {SnpReportLength}");
                }

                break;
            case ConfidentialVmTee.Cca:
                // CBOR tag 399 (CMW collection of platform and realm tokens): d9 01 8f, then a map.
                if (outblob.Length < 16)
                {
                    throw new TsmException(TsmFailureCode.OutblobTooShort, $"the {provider} outblob is {outblob.Length} bytes; a CCA token is far longer");
                }

                if (outblob[0] != 0xd9 || outblob[1] != 0x01 || outblob[2] != 0x8f)
                {
                    throw new TsmException(TsmFailureCode.OutblobMalformed, $"the {provider} outblob starts with {Convert.ToHexStringLower(outblob[..3])}; a CCA token starts with CBOR tag 399 (d9018f)");
                }

                break;
            default:
                throw new TsmException(TsmFailureCode.UnsupportedProvider, $"configfs-tsm provider '{provider}' is not one this engine knows ({Tdx}, {SevSnp}, {Cca})");
        }
    }
}
