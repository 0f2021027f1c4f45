using System.Net;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>The PCS/PCCS provider against a local fake handler serving the TDX-2 PCS responses (no network).</summary>
public sealed class PcsCollateralProviderTests
{
    [TestVectorFact]
    public async Task Fetches_pcs_responses_that_verify_the_quote_and_serves_repeats_from_cache()
    {
        var handler = new FakePcs();
        using var http = new HttpClient(handler);
        var clock = new ManualClock(Samples.Tdx2Time);
        var provider = new PcsCollateralProvider(http, new PcsCollateralProviderOptions { BaseAddress = new Uri("https://pccs.test/"), TimeProvider = clock });
        Assert.True(IntelCollateralRequest.TryFromQuote(Samples.Tdx2Quote, out var request, out _));

        var first = await provider.GetCollateralAsync(request!);
        var second = await provider.GetCollateralAsync(request!);

        Assert.Equal(new IntelCollateralRequest(TeeKind.Tdx, "50806f000000", "platform"), request);
        Assert.Same(first, second);
        Assert.Equal(4, handler.Requests.Count);
        Assert.Contains("https://pccs.test/tdx/certification/v4/tcb?fmspc=50806f000000", handler.Requests);
        Assert.Contains("https://pccs.test/sgx/certification/v4/pckcrl?ca=platform&encoding=der", handler.Requests);
        var result = Samples.Verify(Samples.Tdx2Quote, first, Samples.Tdx2Time);
        Assert.Equal(AttestationFailureCode.TcbLevelNotSupported, result.Failure?.Code);
        Assert.NotNull(result.Claims);

        clock.Now += TimeSpan.FromHours(2);
        var third = await provider.GetCollateralAsync(request!);
        Assert.NotSame(first, third);
        Assert.Equal(8, handler.Requests.Count);
    }

    [TestVectorFact]
    public async Task Http_errors_and_oversized_bodies_are_CollateralUnavailable_and_not_cached()
    {
        var handler = new FakePcs { FailTcb = true };
        using var http = new HttpClient(handler);
        var provider = new PcsCollateralProvider(http, new PcsCollateralProviderOptions { BaseAddress = new Uri("https://pccs.test/"), MaxResponseSize = 1000 });
        var request = new IntelCollateralRequest(TeeKind.Tdx, "50806f000000", "platform");

        var notFound = await Assert.ThrowsAsync<AttestationException>(() => provider.GetCollateralAsync(request));
        handler.FailTcb = false;
        var tooLarge = await Assert.ThrowsAsync<AttestationException>(() => provider.GetCollateralAsync(request));

        Assert.Equal(AttestationFailureCode.CollateralUnavailable, notFound.Failure.Code);
        Assert.Contains("404", notFound.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(AttestationFailureCode.CollateralUnavailable, tooLarge.Failure.Code);
        Assert.Contains("1000", tooLarge.Failure.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public async Task VerifyAsync_fetches_collateral_for_the_quote_and_returns_fetch_failures_as_results()
    {
        var handler = new FakePcs();
        using var http = new HttpClient(handler);
        var provider = new PcsCollateralProvider(http, new PcsCollateralProviderOptions { BaseAddress = new Uri("https://pccs.test/") });
        var verifier = AttestationVerifier.CreateDefault();

        var result = await verifier.VerifyAsync(Evidence.Detect(Samples.Tdx2Quote), provider, Samples.Tdx2Time);
        handler.FailTcb = true;
        var failed = await verifier.VerifyAsync(Evidence.Detect(Samples.Tdx2Quote), new PcsCollateralProvider(http, new PcsCollateralProviderOptions { BaseAddress = new Uri("https://pccs.test/") }), Samples.Tdx2Time);
        var garbage = await verifier.VerifyAsync(Evidence.Detect(new byte[100]), provider, Samples.Tdx2Time);

        Assert.Equal(AttestationFailureCode.TcbLevelNotSupported, result.Failure?.Code);
        Assert.Equal("50806f000000", result.Claims?.Fmspc);
        Assert.Equal(AttestationFailureCode.CollateralUnavailable, failed.Failure?.Code);
        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceFormat, garbage.Failure?.Code);
    }

    [Fact]
    public async Task Invalid_requests_are_argument_errors()
    {
        using var http = new HttpClient(new FakePcs());
        var provider = new PcsCollateralProvider(http);

        await Assert.ThrowsAsync<ArgumentException>(() => provider.GetCollateralAsync(new IntelCollateralRequest(TeeKind.Sgx, "../../etc", "processor")));
        await Assert.ThrowsAsync<ArgumentException>(() => provider.GetCollateralAsync(new IntelCollateralRequest(TeeKind.Nitro, "50806f000000", "processor")));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class FakePcs : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        public bool FailTcb { get; set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!.ToString();
            lock (Requests)
            {
                Requests.Add(uri);
            }

            var path = request.RequestUri!.AbsolutePath;
            (string File, string? Header, string? Chain) reply = path switch
            {
                "/tdx/certification/v4/tcb" => ("tdx-v4/go-tdx-guest/sample_tcbInfo_response.json", "TCB-Info-Issuer-Chain", "tdx-v4/go-tdx-guest/tcbinfo_issuer_chain.pem"),
                "/tdx/certification/v4/qe/identity" => ("tdx-v4/go-tdx-guest/sample_qeIdentity_response.json", "SGX-Enclave-Identity-Issuer-Chain", "tdx-v4/go-tdx-guest/qeidentity_issuer_chain.pem"),
                "/sgx/certification/v4/pckcrl" => ("tdx-v4/go-tdx-guest/pckcrl.der", "SGX-PCK-CRL-Issuer-Chain", "tdx-v4/go-tdx-guest/pckcrl_issuer_chain.pem"),
                "/IntelSGXRootCA.der" => ("tdx-v4/go-tdx-guest/rootcrl.der", null, null),
                _ => (string.Empty, null, null),
            };
            if (reply.File.Length == 0 || (FailTcb && path.EndsWith("/tcb", StringComparison.Ordinal)))
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(TestVectors.Read(reply.File)) };
            if (reply.Header is not null)
            {
                response.Headers.TryAddWithoutValidation(reply.Header, Uri.EscapeDataString(File.ReadAllText(TestVectors.Path(reply.Chain!))));
            }

            return Task.FromResult(response);
        }
    }
}
