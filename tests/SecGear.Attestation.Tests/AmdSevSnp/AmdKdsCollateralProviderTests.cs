using System.Net;
using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.Tests.AmdSevSnp;

public sealed class AmdKdsCollateralProviderTests
{
    private static readonly Uri Base = new("https://kds.test/");

    [TestVectorFact]
    public async Task Fetches_vcek_by_chip_id_and_reported_tcb_then_serves_repeats_from_the_cache()
    {
        var report = TestVectors.Read("sev-snp/go-sev-guest/attestation.bin");
        Assert.True(SnpReport.TryParse(report, out var parsed, out _));
        var vcekPath = "/vcek/v1/Milan/" + Convert.ToHexStringLower(parsed.ChipId) + "?blSPL=2&teeSPL=0&snpSPL=5&ucodeSPL=68";
        var handler = new FakeKds(new Dictionary<string, byte[]>
        {
            [vcekPath] = TestVectors.Read("sev-snp/go-sev-guest/vcek.der"),
            ["/vcek/v1/Milan/cert_chain"] = TestVectors.Read("sev-snp/go-sev-guest/ask_ark_milan.pem"),
        });
        using var http = new HttpClient(handler);
        var provider = new AmdKdsCollateralProvider(http, new AmdKdsCollateralProviderOptions { BaseAddress = Base });

        var first = await provider.GetCollateralAsync(report, SnpProduct.Milan);
        var second = await provider.GetCollateralAsync(report, SnpProduct.Milan);

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal([vcekPath, "/vcek/v1/Milan/cert_chain"], handler.Requests);
        Assert.Equal(first.KeyCertificate.RawData, second.KeyCertificate.RawData);
        Assert.True(new SevSnpVerifier().Verify(report, first, SevSnpSampleTests.GoSevGuestTime).Succeeded);
    }

    [Fact]
    public void Turin_vcek_path_uses_the_8_byte_hardware_id_and_fmc_spl()
    {
        var bytes = new byte[SnpReport.Size];
        bytes[0] = 3;
        bytes[0x08 + 2] = 0x02;
        bytes[0x34] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0x180), 0x0900_0000_0403_0201);
        bytes[0x188] = 0x1A;
        for (int i = 0; i < 64; i++)
        {
            bytes[0x1A0 + i] = (byte)(i + 1);
        }

        var report = SnpReport.TryParse(bytes, out var parsed, out var failure) ? parsed : throw new InvalidOperationException(failure.ToString());

        Assert.Equal(SnpProduct.Turin, report.CpuidProduct);
        Assert.Equal("vcek/v1/Turin/0102030405060708?fmcSPL=1&blSPL=2&teeSPL=3&snpSPL=4&ucodeSPL=9", AmdKdsCollateralProvider.VcekPath(report, SnpProduct.Turin));
    }

    [TestVectorFact]
    public async Task Http_error_is_collateral_unavailable_and_is_not_cached()
    {
        var report = TestVectors.Read("sev-snp/go-sev-guest/attestation.bin");
        var handler = new FakeKds([]);
        using var http = new HttpClient(handler);
        var provider = new AmdKdsCollateralProvider(http, new AmdKdsCollateralProviderOptions { BaseAddress = Base });

        var ex = await Assert.ThrowsAsync<AttestationException>(() => provider.GetCollateralAsync(report, SnpProduct.Milan));
        await Assert.ThrowsAsync<AttestationException>(() => provider.GetCollateralAsync(report, SnpProduct.Milan));

        Assert.Equal(AttestationFailureCode.CollateralUnavailable, ex.Failure.Code);
        Assert.Contains("404", ex.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(2, handler.Requests.Count);
    }

    [TestVectorFact]
    public async Task Oversized_response_is_refused()
    {
        var report = TestVectors.Read("sev-snp/go-sev-guest/attestation.bin");
        var handler = new FakeKds([]) { Fallback = new byte[70 * 1024] };
        using var http = new HttpClient(handler);
        var provider = new AmdKdsCollateralProvider(http, new AmdKdsCollateralProviderOptions { BaseAddress = Base });

        var ex = await Assert.ThrowsAsync<AttestationException>(() => provider.GetCollateralAsync(report, SnpProduct.Milan));

        Assert.Equal(AttestationFailureCode.CollateralUnavailable, ex.Failure.Code);
    }

    [TestVectorFact]
    public async Task Vlek_report_is_refused_without_a_request()
    {
        var handler = new FakeKds([]);
        using var http = new HttpClient(handler);
        var provider = new AmdKdsCollateralProvider(http, new AmdKdsCollateralProviderOptions { BaseAddress = Base });

        var ex = await Assert.ThrowsAsync<AttestationException>(() => provider.GetCollateralAsync(TestVectors.Read("sev-snp/trustee/test-vlek-report.bin")));

        Assert.Equal(AttestationFailureCode.CollateralUnavailable, ex.Failure.Code);
        Assert.Empty(handler.Requests);
    }

    [TestVectorFact]
    public async Task Version_2_report_without_a_product_is_an_argument_error()
    {
        using var http = new HttpClient(new FakeKds([]));
        var provider = new AmdKdsCollateralProvider(http);

        await Assert.ThrowsAsync<ArgumentException>(() => provider.GetCollateralAsync(TestVectors.Read("sev-snp/go-sev-guest/attestation.bin")));
    }

    private sealed class FakeKds(Dictionary<string, byte[]> responses) : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        public byte[]? Fallback { get; init; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.PathAndQuery;
            lock (Requests)
            {
                Requests.Add(path);
            }

            var body = responses.GetValueOrDefault(path) ?? Fallback;
            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) });
        }
    }
}
