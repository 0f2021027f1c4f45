using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>The Intel sets of SOURCES.md: evidence, collateral and a verification time inside each window.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Sgx1Time = DateTimeOffset.Parse("2025-07-04T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    public static readonly DateTimeOffset Sgx2Time = DateTimeOffset.Parse("2022-05-10T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    public static readonly DateTimeOffset Tdx1Time = DateTimeOffset.Parse("2025-07-04T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    public static readonly DateTimeOffset Tdx2Time = DateTimeOffset.Parse("2023-07-01T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    public static readonly DateTimeOffset Tdx3Time = DateTimeOffset.Parse("2025-03-10T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    public static readonly DateTimeOffset Tdx4Time = DateTimeOffset.Parse("2026-06-27T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Lazy<IntelCollateral> Sgx1CollateralLazy = new(() => IntelCollateral.Load(TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json")));
    private static readonly Lazy<IntelCollateral> Tdx1CollateralLazy = new(() => IntelCollateral.Load(TestVectors.Read("tdx-v4/dcap-qvl/tdx_quote_collateral.json")));

    public static byte[] Sgx1Quote => TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote");

    public static IntelCollateral Sgx1Collateral => Sgx1CollateralLazy.Value;

    public static byte[] Sgx2Evidence => TestVectors.Read("sgx-dcap-v3/openenclave-plugin/evidence");

    public static IntelCollateral Sgx2Collateral => IntelCollateral.Load(TestVectors.Read("sgx-dcap-v3/openenclave-plugin/endorsements"));

    public static byte[] Tdx1Quote => TestVectors.Read("tdx-v4/dcap-qvl/tdx_quote");

    public static IntelCollateral Tdx1Collateral => Tdx1CollateralLazy.Value;

    public static byte[] Tdx2Quote => TestVectors.Read("tdx-v4/go-tdx-guest/tdx_prod_quote_SPR_E4.dat");

    public static IntelCollateral Tdx2Collateral => IntelCollateral.FromPcsResponses(
        TestVectors.Read("tdx-v4/go-tdx-guest/sample_tcbInfo_response.json"),
        TestVectors.Read("tdx-v4/go-tdx-guest/tcbinfo_issuer_chain.pem"),
        TestVectors.Read("tdx-v4/go-tdx-guest/sample_qeIdentity_response.json"),
        TestVectors.Read("tdx-v4/go-tdx-guest/qeidentity_issuer_chain.pem"),
        TestVectors.Read("tdx-v4/go-tdx-guest/pckcrl.der"),
        TestVectors.Read("tdx-v4/go-tdx-guest/pckcrl_issuer_chain.pem"),
        TestVectors.Read("tdx-v4/go-tdx-guest/rootcrl.der"));

    public static byte[] Tdx3Quote => TestVectors.Read("tdx-v5/openenclave-relaunch/tdx_quote-moduleupdate-seamldr5.dat");

    public static IntelCollateral Tdx3Collateral => IntelCollateral.Load(TestVectors.Read("tdx-v5/openenclave-relaunch/tdx_endorsement_data.bin"));

    public static byte[] Tdx4Quote => TestVectors.Read("tdx-v5/openenclave-eval21/tdx_quote_v5");

    public static IntelCollateral Tdx4Collateral => IntelCollateral.Load(TestVectors.Read("tdx-v5/openenclave-eval21/tdx_quote_v5_endorsement_eval21.bin"));

    public static AttestationResult Verify(byte[] evidence, Collateral? collateral, DateTimeOffset time, AttestationPolicy? policy = null) =>
        AttestationVerifier.CreateDefault().Verify(Evidence.Detect(evidence), collateral, time, policy);

    public static string Hex(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(bytes.Span);
}
