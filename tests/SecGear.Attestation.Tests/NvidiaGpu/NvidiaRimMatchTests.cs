using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>The matching path of the RIM comparison, on a synthetic GPU and synthetic RIMs under test roots.</summary>
public sealed class NvidiaRimMatchTests : IDisposable
{
    private readonly SyntheticGpu _gpu = new();
    private readonly SyntheticRim _rims = new();
    private readonly NvidiaGpuVerifier _verifier;
    private readonly byte[] _nonce = new byte[32];

    public NvidiaRimMatchTests()
    {
        _verifier = new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions
        {
            DeviceTrustAnchors = TrustAnchors.FromFingerprints([]).Add(_gpu.RootCertificate.RawData),
            RimTrustAnchors = TrustAnchors.FromFingerprints([]).Add(_rims.Root.RawData),
        });
    }

    public void Dispose()
    {
        _gpu.Dispose();
        _rims.Dispose();
    }

    /// <summary>Driver RIM: indices 0 and 1 (blocks 1, 2); VBIOS RIM: 2 and 3 (blocks 3, 4), index 3 with two alternatives.</summary>
    private NvidiaGpuCollateral Collateral(byte[]? index3 = null, bool overlap = false)
    {
        var driver = new Dictionary<int, byte[][]> { [0] = [SyntheticGpu.Measurement(1)], [1] = [SyntheticGpu.Measurement(2)] };
        if (overlap)
        {
            driver[2] = [SyntheticGpu.Measurement(3)];
        }

        var vbios = new Dictionary<int, byte[][]> { [2] = [SyntheticGpu.Measurement(3)], [3] = [new byte[48], index3 ?? SyntheticGpu.Measurement(4)] };
        return NvidiaGpuCollateral.Load([_rims.Write("550.90.07", driver), _rims.Write("96.00.9F.00.01", vbios)]);
    }

    private AttestationResult Verify(NvidiaGpuCollateral collateral) => _verifier.Verify(_gpu.Evidence(_nonce), collateral, SyntheticGpu.ValidTime);

    [Fact]
    public void Matching_driver_and_vbios_rims_appraise_every_active_measurement()
    {
        var result = Verify(Collateral());

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("match", result.Claims!.Fields["reference_values"]);
        Assert.Equal("true", result.Claims.Fields["measurements_appraised"]);
        Assert.Equal("4", result.Claims.Fields["rim_compared_indices"]);
        Assert.Null(new AttestationPolicy { RequireDeviceReferenceValues = true }.Evaluate(result.Claims));
    }

    [Fact]
    public void A_changed_golden_value_names_the_index_the_value_found_and_the_values_expected()
    {
        var other = new byte[48];
        other[0] = 7;

        var result = Verify(Collateral(index3: other));

        Assert.Equal(AttestationFailureCode.ReferenceValueMismatch, result.Failure?.Code);
        Assert.Equal(
            $"Vbios RIM index 3 (SPDM block 4): found {Convert.ToHexStringLower(SyntheticGpu.Measurement(4))}, expected {Convert.ToHexStringLower(new byte[48])} or {Convert.ToHexStringLower(other)}",
            result.Failure!.Message);
        Assert.Equal("3", result.Claims!.Fields["rim_mismatched_indices"]);
    }

    [Fact]
    public void An_index_active_in_both_rims_is_an_error()
    {
        var failure = Verify(Collateral(overlap: true)).Failure;

        Assert.Equal(AttestationFailureCode.ReferenceValueMismatch, failure?.Code);
        Assert.Contains("active in both", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_rim_alone_compares_its_indices_but_does_not_count_as_appraised()
    {
        var driverOnly = NvidiaGpuCollateral.Create(Collateral().DriverManifest, null);

        var claims = Verify(driverOnly).ThrowIfFailed();

        Assert.Equal("match", claims.Fields["reference_values"]);
        Assert.Equal("false", claims.Fields["measurements_appraised"]);
        Assert.Equal(AttestationFailureCode.PolicyReferenceValuesNotAppraised, new AttestationPolicy { RequireDeviceReferenceValues = true }.Evaluate(claims)?.Code);
    }
}
