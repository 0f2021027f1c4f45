using System.Security.Cryptography;
using SecGear.ConfidentialVm.Devices;
using SecGear.Identity;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm;

/// <summary>
/// The platform services of an enclave on the confidential-VM engine: evidence from the VM's TEE with the enclave's
/// identity and the caller's report data bound into the hardware report data
/// (<see cref="ConfidentialVmEvidence.ComputeBinding"/>), and sealing keys derived by the SEV-SNP firmware
/// (SNP_GET_DERIVED_KEY). See docs/confidential-vm.md for what each seal policy means on each TEE.
/// </summary>
public sealed class ConfidentialVmPlatform : IAttestingPlatform
{
    private readonly IEvidenceSource _source;
    private readonly ISevGuestDevice? _sevDevice;
    private readonly uint _vmpl;

    /// <summary>Creates the platform for the enclave <paramref name="self"/>.</summary>
    /// <param name="self">The identity the loader measured.</param>
    /// <param name="source">Where hardware evidence comes from.</param>
    /// <param name="sevDevice">The SEV-SNP guest device for derived sealing keys; null when there is none (TDX, CCA, or no device).</param>
    /// <param name="vmpl">The VMPL derived keys are requested for (0 unless the guest runs under an SVSM).</param>
    public ConfidentialVmPlatform(EnclaveIdentity self, IEvidenceSource source, ISevGuestDevice? sevDevice = null, uint vmpl = 0)
    {
        ArgumentNullException.ThrowIfNull(self);
        ArgumentNullException.ThrowIfNull(source);
        if (self.Measurement.Length != 32 || self.Signer.Length != 32)
        {
            throw new ArgumentException("The enclave identity's measurement and signer must be 32-byte SHA-256 values.", nameof(self));
        }

        Identity = self with { Measurement = (byte[])self.Measurement.Clone(), Signer = (byte[])self.Signer.Clone() };
        _source = source;
        _sevDevice = sevDevice;
        _vmpl = vmpl;
    }

    /// <inheritdoc/>
    public EnclaveIdentity Identity { get; }

    /// <summary>The TEE under the VM.</summary>
    public ConfidentialVmTee Tee => _source.Tee;

    /// <summary>Where evidence comes from.</summary>
    public string SourceDescription => _source.Description;

    /// <inheritdoc/>
    public string EvidenceFormat => ConfidentialVmEvidence.FormatId;

    private static ReadOnlySpan<byte> SealDomain => "SecGear.NET/confidential-vm/seal-key/v1\0"u8;

    /// <inheritdoc/>
    /// <exception cref="Tsm.TsmException">The TEE gave no usable report.</exception>
    public byte[] GetEvidence(ReadOnlySpan<byte> reportData)
    {
        if (reportData.Length > ConfidentialVmEvidence.ReportDataLength)
        {
            throw new ArgumentException($"Report data is at most {ConfidentialVmEvidence.ReportDataLength} bytes; got {reportData.Length}.", nameof(reportData));
        }

        var padded = new byte[ConfidentialVmEvidence.ReportDataLength];
        reportData.CopyTo(padded);
        var evidence = new ConfidentialVmEvidence
        {
            Tee = _source.Tee,
            Measurement = Identity.Measurement,
            Signer = Identity.Signer,
            ProductId = Identity.ProductId,
            SecurityVersion = Identity.SecurityVersion,
            Debug = Identity.Debug,
            ReportData = padded,
            Provider = "pending",
            HardwareEvidence = new byte[1],
        };
        Tsm.TsmReport report = _source.GetReport(evidence.Binding());
        return (evidence with { Provider = report.Provider, HardwareEvidence = report.Outblob, Auxiliary = report.Auxblob }).Encode();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// SEV-SNP: the firmware derives a key from the chip's VCEK root mixed with the guest fields the policy selects
    /// (<see cref="SealPolicy.Enclave"/>: guest policy and launch measurement; <see cref="SealPolicy.Signer"/>: guest
    /// policy, family id and image id of the VM's ID block), then HKDF-SHA-256 binds the enclave identity, security
    /// version and key id exactly as the simulated platform does. TDX and CCA have no sealing key: keys come from the
    /// attestation service's key broker after attestation, which this engine does not fetch yet.
    /// </remarks>
    /// <exception cref="EnclaveNotSupportedException">The TEE derives no sealing keys here.</exception>
    public void DeriveSealKey(in SealKeyRequest request, Span<byte> key)
    {
        SealKeyDerivation.Validate(request, Identity, key);
        SnpDerivedKeyRequest snpRequest = SnpKeyRequest(request.Policy, _vmpl);
        if (_source.Tee != ConfidentialVmTee.SevSnp || _sevDevice is null)
        {
            throw new EnclaveNotSupportedException(
                _source.Tee == ConfidentialVmTee.SevSnp
                    ? "Sealing on SEV-SNP needs /dev/sev-guest (SNP_GET_DERIVED_KEY), which this VM does not offer."
                    : $"{_source.Tee} has no sealing key: sealing there is 'sealing by attestation' (a key released by the attestation service's key broker after attestation), which the confidential-VM engine does not implement yet.");
        }

        Span<byte> firmwareKey = stackalloc byte[32];
        Span<byte> info = stackalloc byte[SealDomain.Length + SealKeyDerivation.InfoFieldsLength];
        SealKeyDerivation.WriteInfo(SealDomain, request, Identity, info);
        try
        {
            _sevDevice.GetDerivedKey(snpRequest, firmwareKey);
            HKDF.DeriveKey(HashAlgorithmName.SHA256, firmwareKey, key, request.KeyId.Span, info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(firmwareKey);
        }
    }

    /// <summary>The SNP_GET_DERIVED_KEY request for <paramref name="policy"/> (documented in docs/confidential-vm.md).</summary>
    /// <exception cref="ArgumentException">An unknown policy.</exception>
    public static SnpDerivedKeyRequest SnpKeyRequest(SealPolicy policy, uint vmpl) => new()
    {
        RootKeySelect = SevGuestAbi.RootKeyVcek,
        Vmpl = vmpl,
        GuestFieldSelect = policy switch
        {
            SealPolicy.Enclave => SevGuestAbi.FieldGuestPolicy | SevGuestAbi.FieldMeasurement,
            SealPolicy.Signer => SevGuestAbi.FieldGuestPolicy | SevGuestAbi.FieldFamilyId | SevGuestAbi.FieldImageId,
            _ => throw new ArgumentException($"Unknown seal policy {(byte)policy}.", nameof(policy)),
        },
    };

    /// <inheritdoc/>
    public void GetRandomBytes(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    /// <inheritdoc/>
    /// <exception cref="EnclaveNotSupportedException">Always: local reports are not implemented on this engine.</exception>
    public byte[] CreateReport(ReadOnlySpan<byte> targetMeasurement, ReadOnlySpan<byte> reportData) =>
        throw new EnclaveNotSupportedException("Local reports between enclaves are not implemented on the confidential-VM engine; use remote evidence (GetEvidence).");

    /// <inheritdoc/>
    /// <exception cref="LocalReportException">Always: local reports are not implemented on this engine.</exception>
    public LocalReport VerifyReport(ReadOnlySpan<byte> report) =>
        throw new LocalReportException("Local reports between enclaves are not implemented on the confidential-VM engine; use remote evidence (GetEvidence).");
}
