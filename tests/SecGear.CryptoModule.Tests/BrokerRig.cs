extern alias AttestationServiceHost;
using System.Security.Cryptography;
using System.Text.Json;
using AttestationServiceHost::SecGear.AttestationService.Hosting;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.CryptoModule.Tests;

/// <summary>
/// The attestation service in-process, set up as the crypto module's key broker by its administrator: policy
/// <c>cryptomodule</c> trusts the module image's signer (simulation allowed), and resource
/// <c>cryptomodule/store-key/default</c> holds a random 32-byte store key released only to the module's measurement.
/// The administrator (this test) knows the key, so tests can check that nothing the host keeps contains it.
/// </summary>
internal sealed class BrokerRig : IAsyncDisposable
{
    public const string Policy = "cryptomodule";
    public const string Resource = "cryptomodule/store-key/default";

    private readonly string _directory;

    private BrokerRig(EmbeddedAttestationService service, string directory, byte[] storeKey)
    {
        Service = service;
        _directory = directory;
        StoreKey = storeKey;
    }

    public EmbeddedAttestationService Service { get; }

    /// <summary>The store key the administrator provisioned (only the broker and the enclave should hold it).</summary>
    public byte[] StoreKey { get; }

    /// <summary>The module enclave image's identity, as the administrator reads it from the signed image.</summary>
    public static SecGear.Identity.EnclaveIdentity ModuleIdentity =>
        EnclaveImage.Load(Path.Combine(AppContext.BaseDirectory, "SecGear.CryptoModule.Enclave.sgimage")).Identity;

    /// <summary>Starts the broker; the store key is released to <paramref name="allowedMeasurement"/> (default: the module's).</summary>
    public static async Task<BrokerRig> StartAsync(string? allowedMeasurement = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "secgear-cm-broker-" + Guid.NewGuid().ToString("N")[..12]);
        SimulatedAttestationAuthority.EnsureCaCertificate();
        string ca = SimulatedAttestationAuthority.CaCertificatePath(new SimulatedPlatformOptions().SecretPath);
        var service = await EmbeddedAttestationService.StartAsync(directory, new Dictionary<string, string?> { ["AttestationService:SimulationTrustAnchors:0"] = ca });
        try
        {
            var identity = ModuleIdentity;
            using var http = new HttpClient { BaseAddress = new Uri(service.Url + "/") };
            var admin = new AttestationServiceClient(http, new AttestationServiceClientOptions { ApiKey = File.ReadAllText(service.AdminKeyFile).Trim() });
            await admin.PutReferenceValuesAsync("cryptomodule-signers", new ReferenceValueWriteRequest(SignerIds: [identity.SignerHex]));
            using (var policy = JsonDocument.Parse("""{ "allowSimulation": true }"""))
            {
                await admin.PutPolicyAsync(Policy, new PolicyWriteRequest(policy.RootElement.Clone(), ["cryptomodule-signers"]));
            }

            byte[] storeKey = RandomNumberGenerator.GetBytes(32);
            string[] path = Resource.Split('/');
            await admin.PutResourceAsync(path[0], path[1], path[2],
                new ResourceWriteRequest(storeKey, new ResourcePolicy([Policy], UniqueIds: [allowedMeasurement ?? identity.MeasurementHex])));
            return new BrokerRig(service, directory, storeKey);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Module settings that take the store key from this broker.</summary>
    public Dictionary<string, string?> ModuleSettings()
    {
        var settings = ModuleFixture.Settings;
        settings["CryptoModule:KeyBroker:Url"] = Service.Url;
        settings["CryptoModule:KeyBroker:Policy"] = Policy;
        settings["CryptoModule:KeyBroker:Resource"] = Resource;
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        TestDirectories.Delete(_directory);
    }
}
