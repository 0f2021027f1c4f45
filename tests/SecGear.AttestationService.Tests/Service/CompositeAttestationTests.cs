using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>One CPU TEE (simulated enclave) and its GPUs (synthetic devices under a configured test root) attested as one.</summary>
public sealed class CompositeAttestationTests : ServiceTestBase
{
    private const string ResourcePath = "/resources/kbs/key/model";
    private static readonly byte[] Secret = "model weights key, 32 bytes long"u8.ToArray();

    private readonly SyntheticGpu _gpu0 = new("5A17E7A1C0FFEE0001");
    private readonly SyntheticGpu _gpu1;
    private readonly string _rootPath = Path.Combine(Path.GetTempPath(), "secgear-as-gpu-root-" + Guid.NewGuid().ToString("N") + ".pem");
    private readonly ServiceFactory _service;
    private readonly System.Security.Cryptography.ECDiffieHellman _key;

    public CompositeAttestationTests()
    {
        _gpu1 = new SyntheticGpu("5A17E7A1C0FFEE0002", sameRootAs: _gpu0);
        File.WriteAllText(_rootPath, _gpu0.RootCertificate.ExportCertificatePem());
        // The synthetic device certificates are valid 2024..2034, so the service's own clock is inside them.
        _service = NewFactory(new Dictionary<string, string?> { ["AttestationService:DeviceTrustAnchors:0"] = _rootPath });
        _key = Own(ResourceEnvelope.CreateRecipientKey());
    }

    protected override void Cleanup()
    {
        _gpu0.Dispose();
        _gpu1.Dispose();
        File.Delete(_rootPath);
    }

    /// <summary>Challenge, CPU evidence bound to it and the runtime key, GPU evidence bound with <see cref="DeviceNonceBinding"/>.</summary>
    private async Task<AttestationResponse> AttestAsync(HttpClient client, string policyId, Func<byte[], byte[], IReadOnlyList<DeviceEvidence>> devices)
    {
        var challenge = await ServiceClient.ChallengeAsync(client);
        var runtimeData = ResourceEnvelope.ExportRuntimeData(_key);
        var cpuReportData = ReportDataBinding.Compute(challenge.Nonce, runtimeData);
        var evidence = Enclave.Evidence(cpuReportData);
        return await ServiceClient.AttestAsync(client, new AttestationRequest(challenge.SessionId, policyId, evidence, null, runtimeData, devices(challenge.Nonce, cpuReportData)));
    }

    private IReadOnlyList<DeviceEvidence> BothGpus(byte[] nonce, byte[] cpuReportData)
    {
        var deviceNonce = DeviceNonceBinding.Compute(nonce, cpuReportData);
        return [new DeviceEvidence(_gpu0.Evidence(deviceNonce)), new DeviceEvidence(_gpu1.Evidence(deviceNonce))];
    }

    private async Task<HttpClient> AdminWithPolicyAsync(string policyJson = """{"allowSimulation":true}""")
    {
        var admin = _service.Admin();
        await ServiceClient.PutPolicyAsync(admin, "cpu-gpu", policyJson);
        return admin;
    }

    [Fact]
    public async Task A_cpu_tee_and_two_gpus_bound_to_one_challenge_get_one_token_listing_every_device()
    {
        using var admin = await AdminWithPolicyAsync();
        using var client = _service.CreateClient();

        var result = await AttestAsync(client, "cpu-gpu", BothGpus);

        Assert.True(result.Status == AttestationStatus.Affirming, result.Failure?.Message);
        Assert.Equal(["gpu-0", "gpu-1"], result.Devices!.Select(d => d.Name));
        Assert.All(result.Devices!, d => Assert.Equal(AttestationStatus.Affirming, d.Status));
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(new JsonWebToken(result.Token).EncodedPayload));
        var submods = payload.RootElement.GetProperty(AttestationTokenClaims.Submods);
        Assert.Equal(2, submods.GetProperty(AttestationTokenClaims.SubmodName).GetProperty(AttestationTokenClaims.DeviceCount).GetInt32());
        Assert.Equal("Simulation", submods.GetProperty(AttestationTokenClaims.SubmodName).GetProperty(AttestationTokenClaims.Claims).GetProperty("tee").GetString());
        foreach (var (name, device) in new[] { ("gpu-0", _gpu0), ("gpu-1", _gpu1) })
        {
            var submod = submods.GetProperty(name);
            Assert.Equal(AttestationStatus.Affirming, submod.GetProperty(AttestationTokenClaims.Status).GetString());
            var claims = submod.GetProperty(AttestationTokenClaims.Claims);
            Assert.Equal("nvidia-gpu-spdm", claims.GetProperty("format").GetString());
            Assert.Equal(device.DeviceSerial, claims.GetProperty("fields").GetProperty("device_id").GetString());
            Assert.Equal("false", claims.GetProperty("fields").GetProperty("measurements_appraised").GetString());
        }
    }

    [Fact]
    public async Task A_gpu_that_signed_the_bare_challenge_instead_of_the_derived_nonce_is_contraindicated()
    {
        using var admin = await AdminWithPolicyAsync();
        using var client = _service.CreateClient();

        var result = await AttestAsync(client, "cpu-gpu", (nonce, cpu) =>
            [new DeviceEvidence(_gpu0.Evidence(DeviceNonceBinding.Compute(nonce, cpu))), new DeviceEvidence(_gpu1.Evidence(nonce))]);

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Null(result.Token);
        Assert.Equal("PolicyReportDataMismatch", result.Failure!.Code);
        Assert.StartsWith("gpu-1: ", result.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(AttestationStatus.Affirming, result.Devices![0].Status);
        Assert.Equal(AttestationStatus.Contraindicated, result.Devices[1].Status);
    }

    [Fact]
    public async Task A_gpu_replayed_from_another_session_is_contraindicated()
    {
        using var admin = await AdminWithPolicyAsync();
        using var client = _service.CreateClient();
        byte[]? earlier = null;
        await AttestAsync(client, "cpu-gpu", (nonce, cpu) =>
        {
            earlier = _gpu0.Evidence(DeviceNonceBinding.Compute(nonce, cpu));
            return [new DeviceEvidence(earlier)];
        });

        var replayed = await AttestAsync(client, "cpu-gpu", (_, _) => [new DeviceEvidence(earlier!)]);

        Assert.Equal(AttestationStatus.Contraindicated, replayed.Status);
        Assert.Equal("PolicyReportDataMismatch", replayed.Failure!.Code);
    }

    [Fact]
    public async Task The_same_gpu_listed_twice_is_refused()
    {
        using var admin = await AdminWithPolicyAsync();
        using var client = _service.CreateClient();

        var result = await AttestAsync(client, "cpu-gpu", (nonce, cpu) =>
        {
            var deviceNonce = DeviceNonceBinding.Compute(nonce, cpu);
            return [new DeviceEvidence(_gpu0.Evidence(deviceNonce)), new DeviceEvidence(_gpu0.Evidence(deviceNonce))];
        });

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("CompositeDeviceInvalid", result.Failure!.Code);
    }

    [Fact]
    public async Task A_gpu_under_an_unconfigured_root_is_contraindicated()
    {
        using var admin = await AdminWithPolicyAsync();
        using var client = _service.CreateClient();
        using var stranger = new SyntheticGpu("0BADC0DE00000001");

        var result = await AttestAsync(client, "cpu-gpu", (nonce, cpu) => [new DeviceEvidence(stranger.Evidence(DeviceNonceBinding.Compute(nonce, cpu)))]);

        Assert.Equal("RootNotTrusted", result.Failure!.Code);
    }

    [Fact]
    public async Task A_policy_requiring_reference_values_refuses_gpus_whose_measurements_were_not_appraised()
    {
        using var admin = await AdminWithPolicyAsync("""{"allowSimulation":true,"requireDeviceReferenceValues":true}""");
        using var client = _service.CreateClient();

        var result = await AttestAsync(client, "cpu-gpu", BothGpus);

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("PolicyReferenceValuesNotAppraised", result.Failure!.Code);
    }

    [Fact]
    public async Task Non_gpu_device_evidence_and_too_many_devices_are_refused()
    {
        using var admin = await AdminWithPolicyAsync();
        using var client = _service.CreateClient();

        var notGpu = await AttestAsync(client, "cpu-gpu", (_, cpu) => [new DeviceEvidence(Enclave.Evidence(cpu))]);
        var challenge = await ServiceClient.ChallengeAsync(client);
        var nine = Enumerable.Range(0, 9).Select(_ => new DeviceEvidence([1])).ToArray();
        using var tooMany = await ServiceClient.PostAttestationAsync(client, new AttestationRequest(challenge.SessionId, "cpu-gpu", Enclave.Evidence(new byte[64]), Devices: nine));

        Assert.Equal("CompositeDeviceInvalid", notGpu.Failure!.Code);
        await ServiceClient.AssertProblemAsync(tooMany, 400, ServiceErrorCodes.MalformedRequest);
    }

    [Fact]
    public async Task A_resource_requiring_every_gpu_affirmed_is_released_only_to_a_composite_token()
    {
        using var admin = await AdminWithPolicyAsync();
        using (var put = await admin.PutAsJsonAsync(ResourcePath, new ResourceWriteRequest(Secret, new ResourcePolicy(["cpu-gpu"], MinimumDevices: 2)), ServiceClient.Json))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var client = _service.CreateClient();
        var cpuOnly = await AttestAsync(client, "cpu-gpu", (_, _) => []);
        var oneGpu = await AttestAsync(client, "cpu-gpu", (nonce, cpu) => [new DeviceEvidence(_gpu0.Evidence(DeviceNonceBinding.Compute(nonce, cpu)))]);
        var both = await AttestAsync(client, "cpu-gpu", BothGpus);

        using var refusedCpu = await GetAsync(client, cpuOnly.Token!);
        using var refusedOne = await GetAsync(client, oneGpu.Token!);
        using var released = await GetAsync(client, both.Token!);

        await ServiceClient.AssertProblemAsync(refusedCpu, 403, ServiceErrorCodes.ResourcePolicyUnsatisfied);
        await ServiceClient.AssertProblemAsync(refusedOne, 403, ServiceErrorCodes.ResourcePolicyUnsatisfied);
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        var body = await released.Content.ReadFromJsonAsync<ResourceResponse>(ServiceClient.Json);
        Assert.Equal(Secret, ResourceEnvelope.Open(_key, body!.Envelope, "kbs/key/model"));
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ResourcePath);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
