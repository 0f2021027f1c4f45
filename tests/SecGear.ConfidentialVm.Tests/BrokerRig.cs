using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SecGear.Attestation;
using SecGear.Attestation.ConfidentialVm;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.AttestationService.Hosting;
using SecGear.ConfidentialVm.Sealing;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// A real attestation service in process (Kestrel on 127.0.0.1, port 0, SQLite in a temporary directory) whose
/// confidential-VM verifier uses a stand-in TDX hardware verifier: emulated evidence cannot be both hardware-signed and
/// bound (docs/confidential-vm.md), so the stand-in reads REPORTDATA and MRTD from the quote without checking its
/// signature. Everything else (envelope, binding, policy, challenge, token, key derivation, envelope to the runtime key)
/// is the real code.
/// </summary>
internal sealed class BrokerRig : IAsyncDisposable
{
    public const string Policy = "cvm-seal";

    private readonly string _dir;

    private BrokerRig(EmbeddedAttestationService service, string dir)
    {
        Service = service;
        _dir = dir;
    }

    public EmbeddedAttestationService Service { get; }

    public Uri Url => new(Service.Url);

    /// <summary>The service's token-signing keys as it publishes them (<c>/.well-known/jwks.json</c>): what an operator pins.</summary>
    public async Task<byte[]> JwksAsync()
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(Service.Url + AttestationServiceRoutes.Jwks);
    }

    /// <summary>A sealing-key broker on this service that pins its token-signing keys.</summary>
    public AttestationServiceSealingKeyBroker Broker() =>
        new(Url, Policy, TokenSigningKeys.FromJwks(JwksAsync().GetAwaiter().GetResult()));

    public static async Task<BrokerRig> StartAsync(string policyJson = "{}")
    {
        string dir = Directory.CreateTempSubdirectory("secgear-cvm-broker-").FullName;
        var hardware = new AttestationVerifier();
        hardware.Register(new UncheckedTdxVerifier());
        var service = await EmbeddedAttestationService.StartAsync(
            dir, configureServices: services => services.AddSingleton<IEvidenceVerifier>(new ConfidentialVmVerifier(hardware)));
        using var http = new HttpClient { BaseAddress = new Uri(service.Url + "/") };
        var admin = new AttestationServiceClient(http, new AttestationServiceClientOptions { ApiKey = File.ReadAllText(service.AdminKeyFile).Trim() });
        using var policy = JsonDocument.Parse(policyJson);
        await admin.PutPolicyAsync(Policy, new PolicyWriteRequest(policy.RootElement.Clone()));
        return new BrokerRig(service, dir);
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A TDX "verifier" that checks only the quote's shape and reports its REPORTDATA and MRTD: a stand-in for Intel's signature chain.</summary>
    private sealed class UncheckedTdxVerifier : IEvidenceVerifier
    {
        private const int MrtdOffset = 48 + 16 + 48 + 48 + 8 + 8 + 8;

        public string Format => EvidenceFormats.IntelDcapQuote;

        public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime) =>
            evidence.Length < TsmProviders.TdxReportDataOffset + 64
                ? AttestationResult.Fail(AttestationFailureCode.EvidenceMalformed, "not a TDX quote")
                : AttestationResult.Success(new AttestationClaims
                {
                    Format = Format,
                    Tee = TeeKind.Tdx,
                    UniqueId = evidence.Slice(MrtdOffset, 48).ToArray(),
                    SignerId = ReadOnlyMemory<byte>.Empty,
                    Debug = false,
                    ReportData = evidence.Slice(TsmProviders.TdxReportDataOffset, 64).ToArray(),
                    TcbStatus = TcbStatus.UpToDate,
                });
    }
}
