extern alias AttestationServiceHost;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AttestationServiceHost::SecGear.AttestationService.Hosting;
using KeyBroker;
using SecGear;
using SecGear.AttestationService;
using SecGear.AttestationService.Client;
using SecGear.Host;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

// KeyBroker host: an enclave proves itself to the attestation service and receives a secret that only it can open.
//   1. admin: store a secret under keybroker/key/db, readable with a token of policy "keybroker" whose claims carry
//      the genuine enclave's measurement (the resource policy pins it);
//   2. relay: challenge -> the enclave binds the nonce and its own P-256 key into its evidence -> attestation token ->
//      the secret sealed to the enclave's key -> the enclave opens it and seals it to its measurement.
// The relay never holds the plaintext: it moves a nonce, evidence, a token and ciphertext.
// Usage: KeyBroker.Host [--enclave genuine|modified] [--secret-file F] [--state-dir D] [--url URL --api-key-file F]
var options = HostOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: KeyBroker.Host [--enclave genuine|modified] [--secret-file F] [--state-dir D] [--url URL --api-key-file F]");
    return 2;
}

const string PolicyId = "keybroker";
const string SignersId = "keybroker-signers";
const string Repository = "keybroker", Type = "key", Tag = "db";
string directory = AppContext.BaseDirectory;
string stateDirectory = options.StateDirectory ?? Path.Combine(Path.GetTempPath(), "secgear-keybroker");
Directory.CreateDirectory(stateDirectory);

EmbeddedAttestationService? local = null;
try
{
    string url;
    string apiKey;
    if (options.Url is { } given)
    {
        url = given;
        apiKey = File.ReadAllText(options.ApiKeyFile!).Trim();
        Console.WriteLine($"service:     {url}");
    }
    else
    {
        // The service runs in this process on 127.0.0.1 and trusts this machine's simulated attestation CA.
        SimulatedAttestationAuthority.EnsureCaCertificate();
        string caPath = SimulatedAttestationAuthority.CaCertificatePath(new SimulatedPlatformOptions().SecretPath);
        local = await EmbeddedAttestationService.StartAsync(
            Path.Combine(stateDirectory, "service"),
            new Dictionary<string, string?> { ["AttestationService:SimulationTrustAnchors:0"] = caPath },
            Microsoft.Extensions.Logging.LogLevel.Warning);
        url = local.Url;
        apiKey = File.ReadAllText(local.AdminKeyFile).Trim();
        Console.WriteLine($"service:     {url} (in-process, data in {local.DataDirectory})");
    }

    using var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };

    // 1. Admin: trust this signer under policy "keybroker"; release the secret only to the genuine enclave's measurement.
    var genuine = EnclaveImage.Load(Path.Combine(directory, "KeyBroker.Enclave.sgimage")).Identity;
    var admin = new AttestationServiceClient(http, new AttestationServiceClientOptions { ApiKey = apiKey });
    await admin.PutReferenceValuesAsync(SignersId, new ReferenceValueWriteRequest(SignerIds: [genuine.SignerHex]));
    using (var policy = JsonDocument.Parse("""{ "allowSimulation": true }"""))
    {
        await admin.PutPolicyAsync(PolicyId, new PolicyWriteRequest(policy.RootElement.Clone(), [SignersId]));
    }

    byte[] secret = options.SecretFile is { } secretFile ? File.ReadAllBytes(secretFile) : RandomNumberGenerator.GetBytes(32);
    string adminCheckValue = Convert.ToHexStringLower(KeyCheckValue.Compute(secret));
    try
    {
        await admin.PutResourceAsync(Repository, Type, Tag, new ResourceWriteRequest(secret, new ResourcePolicy([PolicyId], UniqueIds: [genuine.MeasurementHex])));
    }
    finally
    {
        CryptographicOperations.ZeroMemory(secret);
    }

    Console.WriteLine($"admin:       stored {Repository}/{Type}/{Tag} ({secret.Length} bytes, check value {adminCheckValue}) for measurement {genuine.MeasurementHex[..16]}...");

    // 2. The enclave and the relay (no API key: the relay is not an administrator).
    string imageName = options.Modified ? "KeyBroker.EnclaveModified" : "KeyBroker.Enclave";
    await using Enclave enclave = Enclave.Create(Path.Combine(directory, imageName + ".sgimage"), EnclaveType.Auto, EnclaveFlags.None);
    var proxy = new KeyBrokerProxy(enclave, new HostOcalls());
    Console.WriteLine($"enclave:     {imageName}, measurement {enclave.Identity.MeasurementHex}");

    var relay = new AttestationServiceClient(http);
    var challenge = await relay.ChallengeAsync(PolicyId);
    byte[] keyBuffer = new byte[256];
    int keyLength = proxy.KbCreateKey(keyBuffer);
    byte[] evidenceBuffer = new byte[SimulationEvidence.MaxLength];
    int evidenceLength = keyLength < 0 ? -1 : proxy.KbGetEvidence(challenge.Nonce, evidenceBuffer);
    if (evidenceLength < 0)
    {
        Console.WriteLine("evidence:    the enclave made none");
        return 1;
    }

    // The relay is the host, and it cannot pass a key of its own off as the enclave's: evidence it asks the enclave for
    // binds its bytes host-requested (HostReportData), which the service refuses for a token that would carry a key.
    using (var hostKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256))
    {
        byte[] hostSpki = hostKey.ExportSubjectPublicKeyInfo();
        var hostChallenge = await relay.ChallengeAsync(PolicyId);
        byte[] hostEvidence = enclave.GetEvidence(ReportDataBinding.Compute(hostChallenge.Nonce, hostSpki));
        var hostVerdict = await relay.AttestAsync(new AttestationRequest(hostChallenge.SessionId, PolicyId, hostEvidence, RuntimeData: hostSpki));
        if (hostVerdict.Status == AttestationStatus.Affirming)
        {
            Console.WriteLine("host key:    evidence the host requested for its own key was AFFIRMED");
            return 1;
        }

        Console.WriteLine($"host key:    evidence the host requested for its own key is refused ({hostVerdict.Failure?.Code})");
    }

    var verdict = await relay.AttestAsync(new AttestationRequest(challenge.SessionId, PolicyId, evidenceBuffer[..evidenceLength], RuntimeData: keyBuffer[..keyLength]));
    if (verdict.Status != AttestationStatus.Affirming)
    {
        Console.WriteLine($"attestation: {verdict.Status}: {verdict.Failure?.Code}: {verdict.Failure?.Message}");
        return 1;
    }

    Console.WriteLine($"attestation: {verdict.Status} (policy {verdict.PolicyId} v{verdict.PolicyVersion}, {evidenceLength} bytes of evidence binding the nonce and the enclave's key)");

    ResourceResponse resource;
    try
    {
        resource = await relay.GetResourceAsync(Repository, Type, Tag, verdict.Token!);
    }
    catch (AttestationServiceException e) when (e.StatusCode is not null)
    {
        Console.WriteLine($"resource:    refused: {e.Code}: {e.Detail ?? e.Title}");
        return 1;
    }

    Console.WriteLine($"resource:    {resource.Path} arrived sealed to the enclave's key ({resource.Envelope.Ciphertext.Length} bytes of ciphertext relayed)");

    // A relay that alters the envelope in transit is caught: AES-GCM does not open, and the enclave keeps its key.
    byte[] sealedBuffer = new byte[64 * 1024 + 1024];
    byte[] tamperedTag = (byte[])resource.Envelope.Tag.Clone();
    tamperedTag[0] ^= 0x01;
    byte[] tampered = JsonSerializer.SerializeToUtf8Bytes(resource.Envelope with { Tag = tamperedTag }, AttestationServiceJson.Options);
    bool tamperRefused = proxy.KbInstallSecret(resource.Path, tampered, sealedBuffer) < 0;
    Console.WriteLine($"tampered:    an envelope with one tag bit flipped is {(tamperRefused ? "refused by the enclave" : "ACCEPTED")}");

    byte[] envelope = JsonSerializer.SerializeToUtf8Bytes(resource.Envelope, AttestationServiceJson.Options);
    int sealedLength = proxy.KbInstallSecret(resource.Path, envelope, sealedBuffer);
    if (sealedLength < 0)
    {
        Console.WriteLine("install:     the enclave could not open the envelope");
        return 1;
    }

    string sealedFile = Path.Combine(stateDirectory, "keybroker.sealed");
    File.WriteAllBytes(sealedFile, sealedBuffer[..sealedLength]);
    byte[] enclaveCheckValue = new byte[KeyCheckValue.Length];
    bool checkedOut = proxy.KbCheckSecret(sealedBuffer.AsSpan(0, sealedLength), enclaveCheckValue) == 0
        && Convert.ToHexStringLower(enclaveCheckValue) == adminCheckValue;
    Console.WriteLine($"sealed:      {sealedFile} ({sealedLength} bytes); the enclave's check value {Convert.ToHexStringLower(enclaveCheckValue)} {(checkedOut ? "matches the admin's" : "DIFFERS")}");
    return checkedOut && tamperRefused ? 0 : 1;
}
catch (AttestationServiceException e)
{
    Console.Error.WriteLine($"service: {e.Message}");
    return e.IsUnreachable ? 3 : 1;
}
catch (SecGearException e)
{
    Console.Error.WriteLine($"enclave: {e.Message}");
    return 1;
}
finally
{
    if (local is not null)
    {
        await local.DisposeAsync();
    }
}

/// <summary>The host's implementation of the OCALLs declared in key_broker.edl.</summary>
internal sealed class HostOcalls : IKeyBrokerOcalls
{
    public void PrintMessage(string? message) => Console.WriteLine(message);
}

/// <summary>The command line of the sample.</summary>
internal sealed record HostOptions(bool Modified, string? SecretFile, string? StateDirectory, string? Url, string? ApiKeyFile)
{
    public static HostOptions? Parse(string[] args)
    {
        bool modified = false;
        string? secretFile = null, stateDirectory = null, url = null, apiKeyFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--enclave" when value is "genuine" or "modified":
                    modified = value == "modified";
                    break;
                case "--secret-file" when value is not null:
                    secretFile = value;
                    break;
                case "--state-dir" when value is not null:
                    stateDirectory = value;
                    break;
                case "--url" when value is not null:
                    url = value;
                    break;
                case "--api-key-file" when value is not null:
                    apiKeyFile = value;
                    break;
                default:
                    return null;
            }

            i++;
        }

        return (url is null) == (apiKeyFile is null) ? new HostOptions(modified, secretFile, stateDirectory, url, apiKeyFile) : null;
    }
}
