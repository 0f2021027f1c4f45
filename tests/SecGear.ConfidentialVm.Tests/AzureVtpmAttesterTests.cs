using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.AzureVtpm;
using SecGear.ConfidentialVm.Tpm;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>The Azure vTPM side of the engine against swtpm provisioned like an Azure confidential VM's vTPM.</summary>
public sealed class AzureVtpmAttesterTests : IDisposable
{
    private readonly Lazy<Swtpm> _tpm = new(() => new Swtpm());

    public void Dispose()
    {
        if (_tpm.IsValueCreated)
        {
            _tpm.Value.Dispose();
        }
    }

    [SwtpmFact]
    public void Hcl_report_is_read_whole_from_its_nv_index_in_chunks()
    {
        byte[] report = RandomNumberGenerator.GetBytes(1900);
        _tpm.Value.ProvisionNvIndex(report);

        Assert.Equal(report, new VtpmClient(_tpm.Value.Transport).NvRead(TpmConstants.AzureHclReportIndex));
    }

    [SwtpmFact]
    public void Quote_is_signed_by_the_attestation_key_over_the_nonce_and_its_digest_matches_the_pcr_values()
    {
        _tpm.Value.ProvisionAttestationKey();
        _tpm.Value.Extend(7, SHA256.HashData("secure boot"u8));
        var client = new VtpmClient(_tpm.Value.Transport);
        byte[] nonce = RandomNumberGenerator.GetBytes(32);

        var (message, signature) = client.Quote(TpmConstants.AzureAkHandle, nonce);
        IReadOnlyList<byte[]> pcrs = client.ReadPcrs();

        Assert.True(TpmQuote.TryParse(message, signature, pcrs, out var quote, out var failure), failure?.Message);
        Assert.Equal(nonce, quote.ExtraData);
        Assert.Equal(SHA256.HashData(pcrs.SelectMany(p => p).ToArray()), quote.PcrDigest);
        Assert.NotEqual(new byte[32], pcrs[7]);
        using RSA ak = client.ReadRsaPublic(TpmConstants.AzureAkHandle);
        Assert.True(ak.VerifyData(message, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [SwtpmFact]
    public void Missing_index_or_key_fails_with_the_tpm_response_code()
    {
        var client = new VtpmClient(_tpm.Value.Transport);

        Assert.NotEqual(0u, Assert.Throws<TpmException>(() => client.NvRead(TpmConstants.AzureHclReportIndex)).ResponseCode);
        Assert.NotEqual(0u, Assert.Throws<TpmException>(() => client.Quote(TpmConstants.AzureAkHandle, new byte[8])).ResponseCode);
    }

    [SwtpmFact(Vectors = true)]
    public void Envelope_is_read_by_the_azure_verifier_which_refuses_a_quote_key_the_hcl_report_does_not_name()
    {
        _tpm.Value.ProvisionAttestationKey();
        _tpm.Value.ProvisionNvIndex(TestVectors.Read("azure-vtpm/trustee/snp/az-hcl-data.bin"));
        byte[] evidence = new AzureVtpmAttester(new VtpmClient(_tpm.Value.Transport)).GetEvidence("challenge"u8, TestVectors.Read("sev-snp/trustee/test-vcek.der"));

        var detected = Evidence.Detect(evidence);
        Assert.Equal(EvidenceFormats.AzureVtpm, detected.Format);
        Assert.True(AzureVtpmEvidence.TryParse(evidence, out _, out var parseFailure), parseFailure?.Message);
        var collateral = CollateralLoader.Load(EvidenceFormats.AzureVtpm, TestVectors.Read("sev-snp/trustee/milan_ask_ark_asvk.pem"));
        AttestationResult result = AttestationVerifier.CreateDefault().Verify(detected, collateral, TestVectors.At("2025-01-01T00:00:00Z"));

        Assert.False(result.Succeeded);
        Assert.NotEqual(AttestationFailureCode.EvidenceMalformed, result.Failure!.Code);
    }
}
