using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>Every negative sample of SOURCES.md is rejected for the stated reason; collateral outside its window is named.</summary>
public sealed class NegativeSampleTests
{
    [TestVectorFact]
    public void SgxN1_altered_processor_ca_fails_at_the_chain_issuer_check()
    {
        var evidence = Evidence.Detect(TestVectors.Read("sgx-dcap-v3/negative/openenclave-sgx_report_bad.bin"));
        Assert.Equal(EvidenceFormats.IntelDcapQuote, evidence.Format);

        var result = AttestationVerifier.CreateDefault().Verify(evidence, null, new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(AttestationFailureCode.PckChainIssuerMismatch, result.Failure?.Code);
        Assert.Contains("PCK certificate issuer", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Null(result.Claims);
    }

    [TestVectorFact]
    public void SgxN2_synthetic_quote_without_pck_chain_is_rejected()
    {
        var result = Samples.Verify(TestVectors.Read("sgx-dcap-v3/negative/intel-qvl-synthetic/quote.dat"), null, Samples.Sgx1Time);

        Assert.Equal(AttestationFailureCode.UnsupportedCertificationDataType, result.Failure?.Code);
        Assert.Contains("type is 1", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void SgxN2_with_its_pck_chain_fails_against_the_production_root()
    {
        var result = Samples.Verify(TestVectors.Read("sgx-dcap-v3/negative/intel-qvl-synthetic/quote.dat"), SgxN2Collateral(), SgxN2Time);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
        Assert.Contains("842A5BCB64BA3F7D755036CE1BB85778B3481A5DD75F4731C381B8EEA658AA0D", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void SgxN2_signatures_and_chain_verify_when_the_caller_pins_the_fake_root()
    {
        var fakeRoot = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            File.ReadAllText(TestVectors.Path("sgx-dcap-v3/negative/intel-qvl-synthetic/trustedRootCaCert.pem")));
        var verifier = new AttestationVerifier();
        verifier.Register(new IntelDcapVerifier(new IntelDcapVerifierOptions { TrustAnchors = TrustAnchors.IntelProduction.Add(fakeRoot.RawData) }));

        var result = verifier.Verify(Evidence.Detect(TestVectors.Read("sgx-dcap-v3/negative/intel-qvl-synthetic/quote.dat")), SgxN2Collateral(), SgxN2Time);

        // With the test root pinned explicitly, Intel's synthetic set verifies end to end (it exercises certification
        // data type 1 and the QE identity's little-endian MISCSELECT); the production verifier refuses it above.
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(TcbStatus.UpToDate, result.Claims!.TcbStatus);
        Assert.Equal("00707f000000", result.Claims.Fmspc);
        Assert.Equal(new byte[32], result.Claims.UniqueId.ToArray());
    }

    private static readonly DateTimeOffset SgxN2Time = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IntelCollateral SgxN2Collateral()
    {
        const string dir = "sgx-dcap-v3/negative/intel-qvl-synthetic/";
        var collateral = IntelCollateral.FromPcsResponses(
            TestVectors.Read(dir + "tcbInfo.json"),
            TestVectors.Read(dir + "tcbSignChain.pem"),
            TestVectors.Read(dir + "qeIdentity.json"),
            TestVectors.Read(dir + "tcbSignChain.pem"),
            TestVectors.Read(dir + "intermediateCaCrl.der"),
            [],
            TestVectors.Read(dir + "rootCaCrl.der"));
        var chain = TestVectors.Read(dir + "pckCert.pem").Concat("\n"u8.ToArray()).Concat(TestVectors.Read(dir + "pckSignChain.pem")).ToArray();
        return collateral.WithPckCertificateChain(chain);
    }

    [TestVectorFact]
    public void SgxN2_fake_root_is_not_the_pinned_intel_root()
    {
        var fakeRoot = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            File.ReadAllText(TestVectors.Path("sgx-dcap-v3/negative/intel-qvl-synthetic/trustedRootCaCert.pem")));

        Assert.False(TrustAnchors.IntelProduction.Contains(fakeRoot.RawData));
        Assert.True(TrustAnchors.IntelProduction.Contains(TestVectors.Read("roots/intel/Intel_SGX_Root_CA.der")));
    }

    [TestVectorFact]
    public void A_quote_whose_root_is_not_pinned_fails_RootNotTrusted()
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new IntelDcapVerifier(new IntelDcapVerifierOptions { TrustAnchors = TrustAnchors.FromFingerprints([new string('A', 64)]) }));

        var result = verifier.Verify(Evidence.Detect(Samples.Sgx1Quote), Samples.Sgx1Collateral, Samples.Sgx1Time);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
        Assert.Contains(TrustAnchors.IntelSgxRootCaFingerprint, result.Failure!.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> Windows => new()
    {
        // set, first instant after the window, last instant before it
        { "sgx1", "2025-07-19T10:01:19Z", "2025-06-19T10:56:10Z", "2025-07-04T00:00:00Z" },
        { "sgx2", "2022-05-26T22:39:26Z", "2022-04-26T23:28:08Z", "2022-05-10T00:00:00Z" },
        { "tdx1", "2025-07-19T10:00:36Z", "2025-06-19T10:32:26Z", "2025-07-04T00:00:00Z" },
        { "tdx2", "2023-07-08T07:25:00Z", "2023-06-18T08:42:57Z", "2023-07-01T01:00:00Z" },
        { "tdx3", "2025-03-22T11:31:39Z", "2025-02-26T10:37:19Z", "2025-03-10T00:00:00Z" },
        { "tdx4", "2026-07-12T22:09:44Z", "2026-06-12T22:44:47Z", "2026-06-27T00:00:00Z" },
    };

    [TestVectorTheory]
    [MemberData(nameof(Windows))]
    public void Outside_the_collateral_window_the_failure_names_the_expired_collateral(string set, string after, string before, string inside)
    {
        var (quote, collateral) = Set(set);
        var expiredCodes = new[]
        {
            AttestationFailureCode.RootCaCrlExpired, AttestationFailureCode.PckCrlExpired, AttestationFailureCode.TcbInfoExpired,
            AttestationFailureCode.QeIdentityExpired, AttestationFailureCode.TcbSigningChainInvalid,
        };
        var notYetCodes = new[]
        {
            AttestationFailureCode.RootCaCrlExpired, AttestationFailureCode.PckCrlExpired, AttestationFailureCode.TcbInfoNotYetValid,
            AttestationFailureCode.QeIdentityNotYetValid, AttestationFailureCode.TcbSigningChainInvalid,
        };

        var late = Samples.Verify(quote, collateral, Parse(after));
        var early = Samples.Verify(quote, collateral, Parse(before));
        var ok = Samples.Verify(quote, collateral, Parse(inside));

        Assert.Contains(late.Failure!.Code, expiredCodes);
        Assert.Contains(early.Failure!.Code, notYetCodes);
        Assert.Contains(Parse(after).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), late.Failure.Message, StringComparison.Ordinal);
        Assert.True(ok.Failure is null || ok.Failure.Code == AttestationFailureCode.TcbLevelNotSupported, ok.Failure?.ToString());
        Assert.True(collateral.ValidFrom <= Parse(inside) && Parse(inside) <= collateral.ValidUntil);
    }

    [TestVectorFact]
    public void Sgx1_without_collateral_fails_CollateralMissing_after_its_signatures_verify()
    {
        var result = Samples.Verify(Samples.Sgx1Quote, null, Samples.Sgx1Time);

        Assert.Equal(AttestationFailureCode.CollateralMissing, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Sgx_quote_with_tdx_collateral_fails_on_the_fmspc_or_tee_check()
    {
        var result = Samples.Verify(Samples.Sgx1Quote, Samples.Tdx1Collateral, Samples.Sgx1Time);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Failure!.Code, new[] { AttestationFailureCode.PckCrlIssuerMismatch, AttestationFailureCode.TcbInfoTeeMismatch, AttestationFailureCode.TcbInfoFmspcMismatch });
    }

    internal static (byte[] Quote, IntelCollateral Collateral) Set(string name) => name switch
    {
        "sgx1" => (Samples.Sgx1Quote, Samples.Sgx1Collateral),
        "sgx2" => (Samples.Sgx2Evidence, Samples.Sgx2Collateral),
        "tdx1" => (Samples.Tdx1Quote, Samples.Tdx1Collateral),
        "tdx2" => (Samples.Tdx2Quote, Samples.Tdx2Collateral),
        "tdx3" => (Samples.Tdx3Quote, Samples.Tdx3Collateral),
        "tdx4" => (Samples.Tdx4Quote, Samples.Tdx4Collateral),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
