using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.AzureVtpm;
using SecGear.Attestation.ConfidentialVm;
using SecGear.ConfidentialVm.Tpm;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Identity;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// The confidential-VM engine on an Azure CVM: evidence from the vTPM (swtpm provisioned like Azure's, holding the
/// recorded AZ-SNP-2 HCL report) whose TPM quote nonce is the enclave binding, and the verifier's checks of it.
/// </summary>
public sealed class AzureVtpmPlatformTests : IDisposable
{
    private static readonly EnclaveIdentity Enclave = new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), 7, 3, false);
    private readonly Lazy<Swtpm> _tpm = new(() => new Swtpm());

    public void Dispose()
    {
        if (_tpm.IsValueCreated)
        {
            _tpm.Value.Dispose();
        }
    }

    private ConfidentialVmPlatform AzurePlatform()
    {
        _tpm.Value.ProvisionAttestationKey();
        _tpm.Value.ProvisionNvIndex(TestVectors.Read("azure-vtpm/trustee/snp/az-hcl-data.bin"));
        return new ConfidentialVmPlatform(Enclave, new AzureVtpmEvidenceSource(new VtpmClient(_tpm.Value.Transport), "swtpm"));
    }

    [SwtpmFact(Vectors = true)]
    public void The_tpm_quote_nonce_is_the_enclave_binding_signed_by_the_vtpm_key()
    {
        ConfidentialVmPlatform platform = AzurePlatform();
        byte[] nonce = RandomNumberGenerator.GetBytes(64);

        Assert.Equal(ConfidentialVmTee.SevSnp, platform.Tee);
        Assert.True(ConfidentialVmEvidence.TryParse(platform.GetEvidence(nonce), out var evidence, out var error), error);
        Assert.Equal(TsmProviders.AzureVtpm, evidence.Provider);
        Assert.Equal(nonce, evidence.ReportData.ToArray());
        Assert.True(AzureVtpmEvidence.TryParse(evidence.HardwareEvidence, out var azure, out var failure), failure?.Message);
        Assert.Equal(TestVectors.Read("azure-vtpm/trustee/snp/az-hcl-data.bin"), azure.HclReport);
        Assert.True(TpmQuote.TryParse(azure.QuoteMessage, azure.QuoteSignature, azure.Pcrs, out var quote, out failure), failure?.Message);
        Assert.Equal(evidence.Binding(), quote.ExtraData);
        using RSA ak = new VtpmClient(_tpm.Value.Transport).ReadRsaPublic(TpmConstants.AzureAkHandle);
        Assert.True(ak.VerifyData(azure.QuoteMessage, azure.QuoteSignature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [SwtpmFact(Vectors = true)]
    public void The_verifier_checks_the_vtpm_evidence_and_refuses_swtpm_whose_key_the_hcl_report_does_not_name()
    {
        byte[] bytes = AzurePlatform().GetEvidence("nonce"u8);
        var collateral = new ConfidentialVmCollateral(CollateralLoader.Load(EvidenceFormats.AzureVtpm, TestVectors.Read("sev-snp/trustee/milan_ask_ark_asvk.pem")));

        var result = AttestationVerifier.CreateDefault().Verify(Evidence.Detect(bytes), collateral, TestVectors.At("2025-01-01T00:00:00Z"));

        Assert.Equal(EvidenceFormats.ConfidentialVm, Evidence.Detect(bytes).Format);
        Assert.Equal(AttestationFailureCode.QuoteSignatureInvalid, result.Failure?.Code);
        Assert.Contains("azure_vtpm", result.Failure!.Message, StringComparison.Ordinal);
    }

    [SwtpmFact(Vectors = true)]
    public void The_binding_check_uses_the_quote_nonce_and_a_changed_envelope_fails_it()
    {
        byte[] bytes = AzurePlatform().GetEvidence("nonce"u8);
        var verifier = new ConfidentialVmVerifier(StandIn(TeeKind.SevSnp));

        var result = verifier.Verify(bytes, null, DateTimeOffset.UnixEpoch);
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("azure_vtpm", result.Claims!.Fields["provider"]);
        Assert.Equal(Enclave.Measurement, result.Claims.UniqueId.ToArray());

        bytes[8] ^= 1; // a bit of the enclave measurement
        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, verifier.Verify(bytes, null, DateTimeOffset.UnixEpoch).Failure?.Code);
    }

    [SwtpmFact(Vectors = true)]
    public void Hardware_evidence_of_another_tee_than_the_envelope_names_is_refused()
    {
        byte[] bytes = AzurePlatform().GetEvidence("nonce"u8);

        var result = new ConfidentialVmVerifier(StandIn(TeeKind.Tdx)).Verify(bytes, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.EvidenceMalformed, result.Failure?.Code);
    }

    [SwtpmFact]
    public void A_tpm_without_an_hcl_report_is_not_an_azure_vm()
    {
        var ex = Assert.Throws<TsmException>(() => new AzureVtpmEvidenceSource(new VtpmClient(_tpm.Value.Transport), "swtpm"));

        Assert.Equal(TsmFailureCode.ProviderMissing, ex.Failure);
    }

    [Fact]
    public void An_hcl_report_of_an_unknown_type_or_too_short_is_refused()
    {
        byte[] hcl = new byte[AzureVtpmEvidenceSource.ReportTypeOffset + 4];
        hcl[AzureVtpmEvidenceSource.ReportTypeOffset] = 4;
        Assert.Equal(ConfidentialVmTee.Tdx, AzureVtpmEvidenceSource.TeeOf(hcl));

        hcl[AzureVtpmEvidenceSource.ReportTypeOffset] = 3;
        Assert.Equal(TsmFailureCode.UnsupportedProvider, Assert.Throws<TsmException>(() => AzureVtpmEvidenceSource.TeeOf(hcl)).Failure);
        Assert.Equal(TsmFailureCode.UnsupportedProvider, Assert.Throws<TsmException>(() => AzureVtpmEvidenceSource.TeeOf(hcl.AsSpan(0, 100))).Failure);
    }

    /// <summary>
    /// An Azure "verifier" that parses the envelope and the quote but checks no signature, reporting the quote's nonce
    /// as report data as the real one does: the stand-in for a vTPM key the recorded HCL report names (only Azure has it).
    /// </summary>
    private static AttestationVerifier StandIn(TeeKind tee)
    {
        var hardware = new AttestationVerifier();
        hardware.Register(new UncheckedAzureVerifier(tee));
        return hardware;
    }

    private sealed class UncheckedAzureVerifier(TeeKind tee) : IEvidenceVerifier
    {
        public string Format => EvidenceFormats.AzureVtpm;

        public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime) =>
            AzureVtpmEvidence.TryParse(evidence, out var azure, out var failure) && TpmQuote.TryParse(azure.QuoteMessage, azure.QuoteSignature, azure.Pcrs, out var quote, out failure)
                ? AttestationResult.Success(new AttestationClaims
                {
                    Format = Format,
                    Tee = tee,
                    UniqueId = new byte[48],
                    SignerId = ReadOnlyMemory<byte>.Empty,
                    Debug = false,
                    ReportData = quote.ExtraData,
                    TcbStatus = TcbStatus.UpToDate,
                })
                : AttestationResult.Fail(failure);
    }
}
