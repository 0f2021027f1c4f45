using System.Text.Json;
using SecGear.AttestationService.Client;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Tests.Client;

/// <summary>The typed client carries a composite CPU + GPU attestation and a resource that requires every GPU.</summary>
public sealed class CompositeClientTests : ServiceTestBase
{
    private readonly SyntheticGpu _gpu = new("C11E47000000000001");
    private readonly string _rootPath = Path.Combine(Path.GetTempPath(), "secgear-as-client-gpu-root-" + Guid.NewGuid().ToString("N") + ".pem");
    private readonly ServiceFactory _service;

    public CompositeClientTests()
    {
        File.WriteAllText(_rootPath, _gpu.RootCertificate.ExportCertificatePem());
        _service = NewFactory(new Dictionary<string, string?> { ["AttestationService:DeviceTrustAnchors:0"] = _rootPath });
    }

    protected override void Cleanup()
    {
        _gpu.Dispose();
        File.Delete(_rootPath);
    }

    [Fact]
    public async Task The_client_attests_a_cpu_with_its_gpu_and_receives_a_resource_that_requires_the_gpu()
    {
        var admin = new AttestationServiceClient(_service.CreateClient(), new AttestationServiceClientOptions { ApiKey = ServiceFactory.AdminKey });
        using (var policy = JsonDocument.Parse("""{ "allowSimulation": true }"""))
        {
            await admin.PutPolicyAsync("cpu-gpu", new PolicyWriteRequest(policy.RootElement.Clone()));
        }

        byte[] secret = "gpu workload key"u8.ToArray();
        var info = await admin.PutResourceAsync("app", "key", "gpu", new ResourceWriteRequest(secret, new ResourcePolicy(["cpu-gpu"], MinimumDevices: 1)));
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        var relay = new AttestationServiceClient(_service.CreateClient());
        var runtimeData = ResourceEnvelope.ExportRuntimeData(recipient);

        var challenge = await relay.ChallengeAsync("cpu-gpu");
        var cpuReportData = ReportDataBinding.Compute(challenge.Nonce, runtimeData);
        var verdict = await relay.AttestAsync(new AttestationRequest(
            challenge.SessionId, "cpu-gpu", Enclave.Evidence(cpuReportData), RuntimeData: runtimeData,
            Devices: [new DeviceEvidence(_gpu.Evidence(DeviceNonceBinding.Compute(challenge.Nonce, cpuReportData)))]));
        var resource = await relay.GetResourceAsync("app", "key", "gpu", verdict.Token!);

        Assert.Equal(1, info.Policy.MinimumDevices);
        Assert.Equal(AttestationStatus.Affirming, verdict.Status);
        Assert.Equal("gpu-0", Assert.Single(verdict.Devices!).Name);
        Assert.Equal(secret, resource.Open(recipient));
    }
}
