using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>GPU-N1: four broken chains for the GPU-1 report; every one must fail with the check that names it.</summary>
public sealed class NvidiaGpuNegativeTests
{
    private readonly NvidiaGpuVerifier _verifier = new();

    [TestVectorFact]
    public void Case2_root_alone_has_no_signing_certificate()
    {
        var failure = _verifier.Verify(GpuSamples.WithChain("hopper_cert_chain_case2.txt"), null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.CertificateChainMalformed, failure?.Code);
        Assert.Contains("only the root", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Case3_missing_provisioner_ica_breaks_the_path_to_the_root()
    {
        var failure = _verifier.Verify(GpuSamples.WithChain("hopper_cert_chain_case3.txt"), null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.CertificateIssuerMismatch, failure?.Code);
        Assert.Contains("NVIDIA GH100 Provisioner ICA 1", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Case4_chain_without_the_firmware_leaf_has_no_firmware_id()
    {
        var failure = _verifier.Verify(GpuSamples.WithChain("hopper_cert_chain_case4.txt"), null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.DeviceFirmwareIdMismatch, failure?.Code);
        Assert.Contains("GH100 A01 GSP BROM", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Signing_certificate_alone_is_not_completed_from_other_material()
    {
        // Warm the cache with the full chain first: the lone leaf must still not be accepted.
        Assert.True(_verifier.Verify(GpuSamples.Gpu1Evidence, null, GpuSamples.Gpu1Time).Succeeded);

        var failure = _verifier.Verify(GpuSamples.WithChain("hopper_signing_cert.pem"), null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.RootNotTrusted, failure?.Code);
        Assert.Contains("GH100 A01 GSP FMC LF", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Bytes_after_the_signature_are_rejected()
    {
        byte[] longer = [.. GpuSamples.Report, 0];

        var failure = _verifier.Verify(NvidiaGpuEvidence.Encode(longer, GpuSamples.Chain), null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.TrailingBytes, failure?.Code);
    }
}
