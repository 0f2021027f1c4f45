using System.Security.Cryptography;
using System.Text;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.ArmCca;
using SecGear.Attestation.AzureVtpm;
using SecGear.Attestation.Intel;
using SecGear.ConfidentialVm;

namespace SecGear.Attestation.ConfidentialVm;

/// <summary>
/// Verifies evidence of SecGear.NET's confidential-VM engine (<see cref="ConfidentialVmEvidence"/>): parses the
/// envelope, verifies the hardware evidence with the TEE's own verifier (TDX quote, SEV-SNP report with the VCEK from
/// the certificate table or the collateral, CCA token), then checks that the hardware report data is the binding of
/// the enclave identity and caller report data the envelope names. Claims describe the enclave (unique id = enclave
/// measurement, signer id = enclave signer, report data = the caller's) and the VM (<c>vm_measurement</c> and the
/// hardware verifier's fields prefixed <c>vm_</c>). Never throws for bad evidence.
/// </summary>
public sealed class ConfidentialVmVerifier : IEvidenceVerifier
{
    private readonly AttestationVerifier _hardware;

    /// <summary>A verifier whose hardware verifiers are the built-in TDX (Intel root), SEV-SNP (AMD ARKs), CCA (no CPAK) and Azure vTPM ones.</summary>
    public ConfidentialVmVerifier()
        : this(null)
    {
    }

    /// <summary>A verifier using <paramref name="hardwareVerifier"/> for the hardware evidence (e.g. with a CCA platform key configured).</summary>
    public ConfidentialVmVerifier(AttestationVerifier? hardwareVerifier)
    {
        if (hardwareVerifier is null)
        {
            hardwareVerifier = new AttestationVerifier();
            hardwareVerifier.Register(new IntelDcapVerifier());
            hardwareVerifier.Register(new SevSnpVerifier());
            hardwareVerifier.Register(new CcaVerifier());
            hardwareVerifier.Register(new AzureVtpmVerifier());
        }

        _hardware = hardwareVerifier;
    }

    /// <inheritdoc/>
    public string Format => EvidenceFormats.ConfidentialVm;

    /// <summary>The format of the hardware evidence inside evidence from <paramref name="tee"/>.</summary>
    public static string HardwareFormat(ConfidentialVmTee tee) => tee switch
    {
        ConfidentialVmTee.Tdx => EvidenceFormats.IntelDcapQuote,
        ConfidentialVmTee.SevSnp => EvidenceFormats.AmdSevSnpReport,
        ConfidentialVmTee.Cca => EvidenceFormats.ArmCcaToken,
        _ => EvidenceFormats.Unknown,
    };

    /// <inheritdoc/>
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.IsEmpty)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceEmpty, "the confidential-VM evidence is empty");
        }

        if (!ConfidentialVmEvidence.TryParse(evidence.Span, out var envelope, out string? error))
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceMalformed, error);
        }

        string expectedProvider = envelope.Tee switch { ConfidentialVmTee.Tdx => "tdx_guest", ConfidentialVmTee.SevSnp => "sev_guest", _ => "arm_cca_guest" };
        // An Azure confidential VM's evidence comes from its vTPM (HCL report + TPM quote), for SEV-SNP and TDX alike.
        bool azure = envelope.Provider == AzureVtpmProvider && envelope.Tee is ConfidentialVmTee.SevSnp or ConfidentialVmTee.Tdx;
        if (envelope.Provider != expectedProvider && !azure)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceMalformed, $"the evidence names provider '{envelope.Provider}' for {envelope.Tee}; expected '{expectedProvider}'{(envelope.Tee == ConfidentialVmTee.Cca ? "" : $" or '{AzureVtpmProvider}'")}");
        }

        Collateral? hardwareCollateral = null;
        if (collateral is ConfidentialVmCollateral wrapped)
        {
            hardwareCollateral = wrapped.Hardware;
        }
        else if (collateral is not null)
        {
            return AttestationResult.Fail(AttestationFailureCode.CollateralMalformed, $"confidential-VM evidence takes {nameof(ConfidentialVmCollateral)}; got {collateral.Format} collateral");
        }

        if (!azure && envelope.Tee == ConfidentialVmTee.SevSnp && hardwareCollateral is null && !envelope.Auxiliary.IsEmpty)
        {
            if (!TryCollateralFromCertificateTable(envelope.Auxiliary.Span, out var fromTable, out var tableFailure))
            {
                return AttestationResult.Fail(tableFailure);
            }

            hardwareCollateral = fromTable;
        }

        string format = azure ? EvidenceFormats.AzureVtpm : HardwareFormat(envelope.Tee);
        AttestationResult hardware = _hardware.Verify(new Evidence(format, envelope.HardwareEvidence.Span), hardwareCollateral, verificationTime);
        if (!hardware.Succeeded)
        {
            var failure = hardware.Failure!;
            return AttestationResult.Fail(failure with { Message = $"the VM's hardware evidence ({envelope.Tee}, provider {envelope.Provider}): {failure.Message}" }, hardware.Claims is null ? null : Claims(envelope, hardware.Claims));
        }

        AttestationClaims vm = hardware.Claims!;
        byte[] binding = envelope.Binding();
        var claims = Claims(envelope, vm);
        if (vm.Tee != TeeOf(envelope.Tee))
        {
            return AttestationResult.Fail(
                new AttestationFailure(AttestationFailureCode.EvidenceMalformed, $"the envelope says {envelope.Tee}; its hardware evidence ({envelope.Provider}) is from {vm.Tee}"), claims);
        }

        // Azure: the hardware verifier reports the TPM quote's nonce as report data, which is where the binding goes.
        if (vm.ReportData.Length != binding.Length || !CryptographicOperations.FixedTimeEquals(vm.ReportData.Span, binding))
        {
            return AttestationResult.Fail(
                new AttestationFailure(
                    AttestationFailureCode.EnclaveBindingMismatch,
                    $"the {envelope.Tee} report data is {Convert.ToHexStringLower(vm.ReportData.Span)}; the enclave {Convert.ToHexStringLower(envelope.Measurement.Span)} with this report data binds {Convert.ToHexStringLower(binding)}"),
                claims);
        }

        return AttestationResult.Success(claims);
    }

    /// <summary>The provider name of evidence from an Azure confidential VM's vTPM.</summary>
    public const string AzureVtpmProvider = "azure_vtpm";

    private static TeeKind TeeOf(ConfidentialVmTee tee) => tee switch { ConfidentialVmTee.Tdx => TeeKind.Tdx, ConfidentialVmTee.SevSnp => TeeKind.SevSnp, _ => TeeKind.Cca };

    private static AttestationClaims Claims(ConfidentialVmEvidence envelope, AttestationClaims vm)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["engine"] = "confidential-vm",
            ["tee"] = envelope.Tee.ToString(),
            ["provider"] = envelope.Provider,
            [AttestationPolicy.VmMeasurementField] = Convert.ToHexStringLower(vm.UniqueId.Span),
            ["vm_report_data"] = Convert.ToHexStringLower(vm.ReportData.Span),
            ["vm_debug"] = vm.Debug ? "true" : "false",
            ["enclave_debug"] = envelope.Debug ? "true" : "false",
        };
        if (!vm.SignerId.IsEmpty)
        {
            fields["vm_signer"] = Convert.ToHexStringLower(vm.SignerId.Span);
        }

        foreach (var (name, value) in vm.Fields)
        {
            fields.TryAdd("vm_" + name, value);
        }

        return new AttestationClaims
        {
            Format = EvidenceFormats.ConfidentialVm,
            Tee = TeeOf(envelope.Tee),
            UniqueId = envelope.Measurement,
            SignerId = envelope.Signer,
            ProductId = envelope.ProductId,
            SecurityVersion = envelope.SecurityVersion,
            // Either being debug exposes the enclave's memory: a debug VM's host can read the runner's pages.
            Debug = envelope.Debug || vm.Debug,
            ReportData = envelope.ReportData,
            TcbStatus = vm.TcbStatus,
            AdvisoryIds = vm.AdvisoryIds,
            TcbDate = vm.TcbDate,
            TcbEvaluationDataNumber = vm.TcbEvaluationDataNumber,
            CollateralValidFrom = vm.CollateralValidFrom,
            CollateralValidUntil = vm.CollateralValidUntil,
            Fmspc = vm.Fmspc,
            PceId = vm.PceId,
            Fields = fields,
        };
    }

    private static bool TryCollateralFromCertificateTable(
        ReadOnlySpan<byte> table, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Collateral? collateral, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out AttestationFailure? failure)
    {
        collateral = null;
        if (!SnpCertificateTable.TryParse(table, out var certificates, out string? error))
        {
            failure = new(AttestationFailureCode.CollateralMalformed, error);
            return false;
        }

        byte[]? key = certificates.FirstOrDefault(c => c.Id == SnpCertificateTable.Vcek || c.Id == SnpCertificateTable.Vlek).Der;
        var chain = new StringBuilder();
        foreach (var (id, der) in certificates)
        {
            if (id == SnpCertificateTable.Ask || id == SnpCertificateTable.Ark)
            {
                chain.Append(PemEncoding.WriteString("CERTIFICATE", der)).Append('\n');
            }
        }

        if (key is null || chain.Length == 0)
        {
            failure = new(AttestationFailureCode.CollateralMissing, "the SEV-SNP certificate table holds no VCEK/VLEK or no ASK/ARK; give the VCEK and AMD chain as collateral");
            return false;
        }

        try
        {
            collateral = SevSnpCollateral.Create(key, Encoding.ASCII.GetBytes(chain.ToString()));
            failure = null;
            return true;
        }
        catch (AttestationException ex)
        {
            failure = ex.Failure;
            return false;
        }
    }
}
