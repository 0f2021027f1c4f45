using System.Buffers.Binary;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Tpm;

/// <summary>
/// Evidence from an Azure confidential VM's vTPM: the 64-byte report data (the enclave binding) becomes the TPM quote's
/// qualifying data (nonce), quoted by the vTPM attestation key that the HCL report's runtime data names; the hardware
/// report inside the HCL report binds that runtime data. The outblob is the <c>azure-vtpm</c> JSON envelope
/// (<see cref="AzureVtpmAttester"/>), the provider <see cref="TsmProviders.AzureVtpm"/>, the TEE the HCL report's type.
/// </summary>
public sealed class AzureVtpmEvidenceSource : IEvidenceSource, IDisposable
{
    /// <summary>HCL report: offset of the runtime-data header's report type (IGVM request: size, version, type).</summary>
    public const int ReportTypeOffset = 0x4C0 + 8;

    private readonly IDisposable? _transport;
    private readonly AzureVtpmAttester _attester;
    private readonly Lock _lock = new();

    /// <summary>Opens the source over <paramref name="tpm"/>; reads the HCL report once to learn the TEE.</summary>
    /// <param name="tpm">The vTPM.</param>
    /// <param name="where">Where the TPM is, for <see cref="Description"/>.</param>
    /// <param name="transport">Disposed with the source; null when the caller owns the transport.</param>
    /// <exception cref="TsmException"><see cref="TsmFailureCode.ProviderMissing"/>: the TPM has no HCL report (not an Azure CVM); <see cref="TsmFailureCode.UnsupportedProvider"/>: an HCL report of an unknown type.</exception>
    public AzureVtpmEvidenceSource(VtpmClient tpm, string where, IDisposable? transport = null)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        _transport = transport;
        _attester = new AzureVtpmAttester(tpm);
        byte[] hcl;
        try
        {
            hcl = tpm.NvRead(TpmConstants.AzureHclReportIndex);
        }
        catch (TpmException ex)
        {
            throw new TsmException(TsmFailureCode.ProviderMissing, $"the TPM at {where} holds no Azure HCL report at NV index 0x{TpmConstants.AzureHclReportIndex:x8} (not an Azure confidential VM): {ex.Message}");
        }

        Tee = TeeOf(hcl);
        Description = $"Azure vTPM at {where} (HCL report, {Tee})";
    }

    /// <inheritdoc/>
    public ConfidentialVmTee Tee { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <summary>The TEE an HCL report's runtime-data header names (2 SEV-SNP, 4 TDX).</summary>
    /// <exception cref="TsmException">Too short, or another type.</exception>
    public static ConfidentialVmTee TeeOf(ReadOnlySpan<byte> hcl)
    {
        uint type = hcl.Length >= ReportTypeOffset + 4 ? BinaryPrimitives.ReadUInt32LittleEndian(hcl[ReportTypeOffset..]) : 0;
        return type switch
        {
            2 => ConfidentialVmTee.SevSnp,
            4 => ConfidentialVmTee.Tdx,
            _ => throw new TsmException(TsmFailureCode.UnsupportedProvider, $"the HCL report ({hcl.Length} bytes) has report type {type}; this engine knows 2 (SEV-SNP) and 4 (TDX)"),
        };
    }

    /// <inheritdoc/>
    /// <exception cref="TsmException"><see cref="TsmFailureCode.IoError"/>: the TPM failed (its response code is in the message).</exception>
    public TsmReport GetReport(ReadOnlySpan<byte> reportData)
    {
        try
        {
            // One command stream per TPM connection.
            lock (_lock)
            {
                return new TsmReport(TsmProviders.AzureVtpm, Tee, _attester.GetEvidence(reportData), [], 0);
            }
        }
        catch (TpmException ex)
        {
            throw new TsmException(TsmFailureCode.IoError, $"the vTPM did not produce evidence: {ex.Message}");
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _transport?.Dispose();
}
