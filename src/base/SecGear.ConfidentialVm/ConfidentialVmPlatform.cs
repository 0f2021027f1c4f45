using System.Security.Cryptography;
using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Sealing;
using SecGear.Identity;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm;

/// <summary>
/// The platform services of an enclave on the confidential-VM engine: evidence from the VM's TEE with the enclave's
/// identity and the caller's report data bound into the hardware report data
/// (<see cref="ConfidentialVmEvidence.ComputeBinding"/>), and sealing keys derived by the SEV-SNP firmware
/// (SNP_GET_DERIVED_KEY) or, on TEEs without a sealing key (TDX, CCA), from roots a key broker releases after
/// attestation. See docs/confidential-vm.md for what each seal policy means on each TEE.
/// </summary>
public sealed class ConfidentialVmPlatform : IAttestingPlatform
{
    private readonly IEvidenceSource _source;
    private readonly ISevGuestDevice? _sevDevice;
    private readonly uint _vmpl;
    private readonly ISealingKeyBroker? _keyBroker;
    private readonly Dictionary<(SealPolicy Policy, ushort SecurityVersion), byte[]> _brokerRoots = [];
    private readonly Lock _brokerLock = new();

    /// <summary>Creates the platform for the enclave <paramref name="self"/>.</summary>
    /// <param name="self">The identity the loader measured.</param>
    /// <param name="source">Where hardware evidence comes from.</param>
    /// <param name="sevDevice">The SEV-SNP guest device for derived sealing keys; null when there is none (TDX, CCA, or no device).</param>
    /// <param name="vmpl">The VMPL derived keys are requested for (0 unless the guest runs under an SVSM).</param>
    /// <param name="keyBroker">Where sealing roots come from when the TEE derives no sealing key (TDX, CCA, SEV-SNP without the device); null = sealing is refused there.</param>
    public ConfidentialVmPlatform(EnclaveIdentity self, IEvidenceSource source, ISevGuestDevice? sevDevice = null, uint vmpl = 0, ISealingKeyBroker? keyBroker = null)
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
        _keyBroker = keyBroker;
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

    private static ReadOnlySpan<byte> BrokerSealDomain => "SecGear.NET/confidential-vm/broker-seal-key/v1\0"u8;

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
    /// SEV-SNP with <c>/dev/sev-guest</c>: the firmware derives a key from the chip's VCEK root mixed with the guest
    /// fields the policy selects (<see cref="SealPolicy.Enclave"/>: guest policy and launch measurement;
    /// <see cref="SealPolicy.Signer"/>: guest policy, family id and image id of the VM's ID block). Elsewhere (TDX,
    /// CCA) the root comes from the key broker after attestation, bound by the broker to the attested enclave identity
    /// (measurement, or signer and product id), TEE, debug flag, appraisal policy and security version, fetched once per
    /// policy and version and held in this process's memory only. Either root then goes through HKDF-SHA-256 with the
    /// enclave identity, security version and the blob's key id exactly as the simulated platform does.
    /// </remarks>
    /// <exception cref="EnclaveNotSupportedException">The TEE derives no sealing keys and no key broker is configured.</exception>
    /// <exception cref="SecGearException">The key broker refused or could not be reached.</exception>
    public void DeriveSealKey(in SealKeyRequest request, Span<byte> key)
    {
        SealKeyDerivation.Validate(request, Identity, key);
        if (_source.Tee == ConfidentialVmTee.SevSnp && _sevDevice is not null)
        {
            DeriveFromFirmware(request, key);
            return;
        }

        if (_keyBroker is null)
        {
            throw new EnclaveNotSupportedException(
                _source.Tee == ConfidentialVmTee.SevSnp
                    ? $"Sealing on SEV-SNP needs /dev/sev-guest (SNP_GET_DERIVED_KEY), which this VM does not offer, or a key broker ({ConfidentialVmEnvironment.KeyBroker})."
                    : $"{_source.Tee} has no sealing key: sealing there is 'sealing by attestation', a key released by the attestation service's key broker after attestation; configure one with {ConfidentialVmEnvironment.KeyBroker} (https), {ConfidentialVmEnvironment.KeyBrokerPolicy} and {ConfidentialVmEnvironment.KeyBrokerKeys} (the service's pinned JWKS).");
        }

        byte[] root = BrokerRoot(request.Policy, request.SecurityVersion);
        Span<byte> info = stackalloc byte[BrokerSealDomain.Length + SealKeyDerivation.InfoFieldsLength];
        SealKeyDerivation.WriteInfo(BrokerSealDomain, request, Identity, info);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, root, key, request.KeyId.Span, info);
    }

    private byte[] BrokerRoot(SealPolicy policy, ushort securityVersion)
    {
        // One broker round trip per (policy, version) for the life of the enclave; the lock also keeps two first
        // seals from attesting twice.
        lock (_brokerLock)
        {
            if (!_brokerRoots.TryGetValue((policy, securityVersion), out byte[]? root))
            {
                root = _keyBroker!.GetSealingRoot(policy, securityVersion, reportData => GetEvidence(reportData));
                _brokerRoots[(policy, securityVersion)] = root;
            }

            return root;
        }
    }

    private void DeriveFromFirmware(in SealKeyRequest request, Span<byte> key)
    {
        SnpDerivedKeyRequest snpRequest = SnpKeyRequest(request.Policy, _vmpl);
        Span<byte> firmwareKey = stackalloc byte[32];
        Span<byte> info = stackalloc byte[SealDomain.Length + SealKeyDerivation.InfoFieldsLength];
        SealKeyDerivation.WriteInfo(SealDomain, request, Identity, info);
        try
        {
            _sevDevice!.GetDerivedKey(snpRequest, firmwareKey);
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
