using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

/// <summary>OCSP responses as optional collateral, on a synthetic device chain (root → BROM → leaf).</summary>
public sealed class NvidiaGpuRevocationTests : IDisposable
{
    private static readonly DateTimeOffset Time = SyntheticGpu.ValidTime;
    private readonly SyntheticGpu _gpu = new();
    private readonly NvidiaGpuVerifier _verifier;
    private readonly byte[] _nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    public NvidiaGpuRevocationTests()
    {
        _verifier = new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions { DeviceTrustAnchors = TrustAnchors.FromFingerprints([]).Add(_gpu.RootCertificate.RawData) });
    }

    public void Dispose() => _gpu.Dispose();

    private byte[] LeafResponse(bool revoked = false, System.Security.Cryptography.ECDsa? signer = null, DateTimeOffset? nextUpdate = null) =>
        OcspResponseBuilder.Build(_gpu.LeafCertificate, _gpu.BromCertificate, signer ?? _gpu.BromKey, _gpu.BromCertificate.SubjectName, revoked, Time.AddHours(-1), nextUpdate ?? Time.AddDays(1));

    private byte[] BromResponse() =>
        OcspResponseBuilder.Build(_gpu.BromCertificate, _gpu.RootCertificate, _gpu.RootKey, _gpu.RootCertificate.SubjectName, false, Time.AddHours(-1), Time.AddDays(1));

    private AttestationResult Verify(params byte[][] ocsp) =>
        _verifier.Verify(_gpu.Evidence(_nonce), ocsp.Length == 0 ? null : NvidiaGpuCollateral.Load([.. ocsp.Select(o => (ReadOnlyMemory<byte>)o)]), Time);

    [Fact]
    public void Without_ocsp_responses_the_claims_say_revocation_was_not_checked()
    {
        var claims = Verify().ThrowIfFailed();

        Assert.Equal("false", claims.Fields["revocation_checked"]);
        Assert.StartsWith("not checked", claims.Fields["revocation"], StringComparison.Ordinal);
        Assert.Equal(_gpu.DeviceSerial, claims.Fields["device_id"]);
        Assert.Equal(Convert.ToHexStringLower(_nonce), Convert.ToHexStringLower(claims.ReportData.Span));
    }

    [Fact]
    public void Good_responses_for_every_non_root_certificate_mark_revocation_as_checked()
    {
        var result = Verify(LeafResponse(), BromResponse());

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal("true", result.Claims!.Fields["revocation_checked"]);
        Assert.Null(new AttestationPolicy { RequireDeviceRevocationChecked = true }.Evaluate(result.Claims));
    }

    [Fact]
    public void A_response_for_the_leaf_only_is_partial_and_fails_a_policy_that_requires_revocation()
    {
        var claims = Verify(LeafResponse()).ThrowIfFailed();

        Assert.Equal("false", claims.Fields["revocation_checked"]);
        Assert.StartsWith("partial: OCSP says good for 1 of 2", claims.Fields["revocation"], StringComparison.Ordinal);
        Assert.Equal(AttestationFailureCode.PolicyRevocationNotChecked, new AttestationPolicy { RequireDeviceRevocationChecked = true }.Evaluate(claims)?.Code);
    }

    [Fact]
    public void A_revoked_leaf_fails_naming_the_certificate()
    {
        var failure = Verify(LeafResponse(revoked: true), BromResponse()).Failure;

        Assert.Equal(AttestationFailureCode.CertificateRevoked, failure?.Code);
        Assert.Contains("GH100 A01 GSP FMC LF", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_response_not_signed_by_the_issuer_is_invalid()
    {
        var failure = Verify(LeafResponse(signer: _gpu.RootKey)).Failure;

        Assert.Equal(AttestationFailureCode.RevocationResponseInvalid, failure?.Code);
    }

    [Fact]
    public void A_stale_response_is_invalid()
    {
        var failure = Verify(LeafResponse(nextUpdate: Time.AddMinutes(-1))).Failure;

        Assert.Equal(AttestationFailureCode.RevocationResponseInvalid, failure?.Code);
        Assert.Contains("current", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_collateral_piece_that_is_neither_rim_nor_ocsp_is_refused()
    {
        var ex = Assert.Throws<AttestationException>(() => NvidiaGpuCollateral.Load([new byte[] { 0x30, 0x03, 0x02, 0x01, 0x05 }]));

        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
    }

    [Fact]
    public void Mutated_ocsp_responses_are_refused_or_judged_never_thrown()
    {
        var good = LeafResponse();
        var random = new Random(6960);
        for (int n = 0; n < 2_000; n++)
        {
            var mutated = (byte[])good.Clone();
            mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            NvidiaGpuCollateral collateral;
            try
            {
                collateral = NvidiaGpuCollateral.Load([mutated]);
            }
            catch (AttestationException ex)
            {
                Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
                continue;
            }

            var result = _verifier.Verify(_gpu.Evidence(_nonce), collateral, Time);
            Assert.True(result.Succeeded || result.Failure!.Code is AttestationFailureCode.RevocationResponseInvalid, result.Failure?.ToString());
            if (result.Succeeded && result.Claims!.Fields["revocation"].StartsWith("partial: OCSP says good for 1", StringComparison.Ordinal))
            {
                Assert.Fail($"mutation {n} of the signed response still counted as a good OCSP response for the leaf");
            }
        }
    }

    [Fact]
    public void A_report_whose_fwid_differs_from_the_leaf_fails_the_binding()
    {
        var report = _gpu.Report(_nonce, fwid: new byte[48]);
        var evidence = NvidiaGpuEvidence.Encode(report, System.Text.Encoding.ASCII.GetBytes(_gpu.ChainPem));

        var failure = _verifier.Verify(evidence, null, Time).Failure;

        Assert.Equal(AttestationFailureCode.DeviceFirmwareIdMismatch, failure?.Code);
    }
}
