using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecGear.AttestationService;
using SecGear.Images;

namespace SecGear.Cli.Tests;

/// <summary><c>secgear service ...</c> against the real attestation service over HTTP on 127.0.0.1.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServiceCommandTests : IClassFixture<ServiceUnderTest>, IDisposable
{
    private readonly ServiceUnderTest _service;
    private readonly CliRun _cli = new();

    public ServiceCommandTests(ServiceUnderTest service) => _service = service;

    public void Dispose() => _cli.Dispose();

    private string[] Service(params string[] args) => ["service", "--url", _service.Url, .. args];

    private string[] Admin(params string[] args) => ["service", "--url", _service.Url, "--api-key-file", _service.AdminKeyFile, .. args];

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private string Write(string name, string text)
    {
        File.WriteAllText(_cli.Path(name), text);
        return _cli.Path(name);
    }

    private string Write(string name, byte[] bytes)
    {
        File.WriteAllBytes(_cli.Path(name), bytes);
        return _cli.Path(name);
    }

    private static string Line(string output, string prefix) =>
        output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim();

    /// <summary>The fixture enclave signed as a debug image (the policies here allow debug), and its measurement.</summary>
    private (string Image, string Measurement) SignedImage()
    {
        var input = _cli.Path("in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "TestEnclave.dll"), Path.Combine(input, "TestEnclave.dll"));
        var manifest = Write("manifest.json", """{ "name": "TestEnclave", "productId": 7, "securityVersion": 3, "debug": true, "maxThreads": 2, "heapLimit": 1048576, "entryAssembly": "TestEnclave.dll" }""");
        _cli.Ok("keygen", "--out", _cli.Path("key.pem"));
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage"));
        return (_cli.Path("x.sgimage"), EnclaveImage.Load(_cli.Path("x.sgimage")).Identity.MeasurementHex);
    }

    /// <summary>
    /// Challenge, then evidence binding that challenge and the runtime data as enclave code makes it: the test plays the
    /// enclave, calling the simulated platform with the image's identity and the service's platform secret (what an
    /// enclave's own ECALL does, e.g. the KeyBroker sample's <c>kb_get_evidence</c>). A host cannot make such evidence:
    /// <c>secgear attest</c> binds its report data host-requested (<see cref="Host_requested_evidence_binding_a_runtime_key_is_refused_so_a_host_cannot_fetch_a_resource"/>).
    /// </summary>
    private (string Session, string Evidence) ChallengeAndEvidence(string policy, string image, string runtimeDataFile)
    {
        var challenge = _cli.Ok(Service("challenge", "--policy", policy, "--runtime-data", runtimeDataFile));
        byte[] reportData = Convert.FromHexString(Line(challenge, "report-data:"));
        using (var platform = new SecGear.Trusted.Platform.SimulatedPlatform(
            EnclaveImage.Load(image).Identity, new SecGear.Simulation.SimulatedPlatformOptions { SecretPath = _service.PlatformSecret }))
        {
            File.WriteAllBytes(_cli.Path("evidence.bin"), platform.GetEvidence(reportData));
        }

        return (Line(challenge, "session:"), _cli.Path("evidence.bin"));
    }

    /// <summary>Challenge, then <c>secgear attest</c>: evidence the host requested from the running enclave.</summary>
    private (string Session, string Evidence) ChallengeAndHostRequestedEvidence(string policy, string image, string? runtimeDataFile)
    {
        var challenge = _cli.Ok(Service(runtimeDataFile is null ? ["challenge", "--policy", policy] : ["challenge", "--policy", policy, "--runtime-data", runtimeDataFile]));
        _cli.Ok("attest", "--enclave", image, "--engine", "simulation", "--out", _cli.Path("host-evidence.bin"), "--report-data", Line(challenge, "report-data:"), "--secret-path", _service.PlatformSecret);
        return (Line(challenge, "session:"), _cli.Path("host-evidence.bin"));
    }

    /// <summary>A <c>service attest --json</c> run that exited 1 with a contraindicated verdict naming <paramref name="failure"/> and no token.</summary>
    private static AttestationResponse Contraindicated(int code, string output, string failure)
    {
        Assert.Equal(SecGearCli.Failure, code);
        var verdict = JsonSerializer.Deserialize<AttestationResponse>(output, AttestationServiceJson.Options)!;
        Assert.Equal(AttestationStatus.Contraindicated, verdict.Status);
        Assert.Equal(failure, verdict.Failure!.Code);
        Assert.Null(verdict.Token);
        return verdict;
    }

    [Fact]
    public void Host_requested_evidence_binding_a_runtime_key_is_refused_so_a_host_cannot_fetch_a_resource()
    {
        var (image, measurement) = SignedImage();
        string policy = Unique("pol"), tag = Unique("tag");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""")));
        _cli.Ok(Admin("resource", "put", $"app/key/{tag}", "--value-file", Write("secret.bin", "the host must not get this"u8.ToArray()), "--allow-policy", policy, "--allow-unique-id", measurement));
        using var hostKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        string runtimeData = Write("host.spki", hostKey.ExportSubjectPublicKeyInfo());
        var (session, evidence) = ChallengeAndHostRequestedEvidence(policy, image, runtimeData);

        var (code, output, _) = _cli.Run(Service("attest", "--evidence", evidence, "--session", session, "--policy", policy, "--runtime-data", runtimeData, "--json"));

        var verdict = Contraindicated(code, output, "PolicyReportDataMismatch");
        Assert.Contains("host-requested", verdict.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_requested_evidence_without_runtime_data_is_affirmed_with_a_token_that_says_so_and_binds_no_key()
    {
        var (image, _) = SignedImage();
        string policy = Unique("pol");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""")));
        var (session, evidence) = ChallengeAndHostRequestedEvidence(policy, image, runtimeDataFile: null);

        var output = _cli.Ok(Service("attest", "--evidence", evidence, "--session", session, "--policy", policy, "--json"));

        var verdict = JsonSerializer.Deserialize<AttestationResponse>(output, AttestationServiceJson.Options)!;
        Assert.Equal(AttestationStatus.Affirming, verdict.Status);
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(verdict.Token!.Split('.')[1]));
        var enclave = payload.RootElement.GetProperty(AttestationTokenClaims.Submods).GetProperty(AttestationTokenClaims.SubmodName);
        Assert.Equal(AttestationTokenClaims.HostRequestedOrigin, enclave.GetProperty(AttestationTokenClaims.ReportDataOrigin).GetString());
        Assert.False(enclave.TryGetProperty(AttestationTokenClaims.RuntimeKey, out _));
    }

    [Fact]
    public void Challenge_prints_a_session_and_the_report_data_that_binds_its_nonce_and_the_runtime_data()
    {
        byte[] runtimeData = RandomNumberGenerator.GetBytes(91);

        var output = _cli.Ok(Service("challenge", "--runtime-data", Write("rt.bin", runtimeData)));

        Assert.NotEmpty(Line(output, "session:"));
        byte[] nonce = Convert.FromHexString(Line(output, "nonce:"));
        Assert.Equal(32, nonce.Length);
        Assert.Equal(Convert.ToHexStringLower(ReportDataBinding.Compute(nonce, runtimeData)), Line(output, "report-data:"));
    }

    [Fact]
    public void Challenge_json_carries_everything_the_text_prints_including_the_report_data_to_attest_with()
    {
        byte[] runtimeData = RandomNumberGenerator.GetBytes(40);

        using var json = System.Text.Json.JsonDocument.Parse(_cli.Ok(Service("challenge", "--json", "--runtime-data", Write("rt-json.bin", runtimeData))));

        System.Text.Json.JsonElement root = json.RootElement;
        Assert.NotEmpty(root.GetProperty("sessionId").GetString()!);
        byte[] nonce = root.GetProperty("nonce").GetBytesFromBase64();
        Assert.Equal(32, nonce.Length);
        Assert.Equal(Convert.ToHexStringLower(nonce), root.GetProperty("nonceHex").GetString());
        Assert.True(root.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal(Convert.ToHexStringLower(ReportDataBinding.Compute(nonce, runtimeData)), root.GetProperty("reportData").GetString());
    }

    [Fact]
    public void An_enclave_attests_with_evidence_it_bound_itself_and_the_cli_opens_the_resource_while_the_secret_is_never_printed()
    {
        var (image, measurement) = SignedImage();
        string policy = Unique("pol"), refvalues = Unique("rv"), tag = Unique("tag");
        _cli.Ok(Admin("refvalues", "put", refvalues, "--unique-id", measurement));
        Assert.Contains($"policy {policy} v1", _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }"""), "--reference-values", refvalues)), StringComparison.Ordinal);
        byte[] secret = Encoding.UTF8.GetBytes("correct horse battery staple");
        Assert.Contains($"resource app/key/{tag} v1", _cli.Ok(Admin("resource", "put", $"app/key/{tag}", "--value-file", Write("secret.bin", secret), "--allow-policy", policy, "--allow-unique-id", measurement)), StringComparison.Ordinal);
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        string keyFile = Write("recipient.pem", recipient.ExportPkcs8PrivateKeyPem());
        string runtimeData = Write("recipient.spki", recipient.ExportSubjectPublicKeyInfo());
        var (session, evidence) = ChallengeAndEvidence(policy, image, runtimeData);

        var attest = _cli.Run(Service("attest", "--evidence", evidence, "--session", session, "--policy", policy, "--runtime-data", runtimeData, "--token-out", _cli.Path("token.jwt")));
        var get = _cli.Run(Service("resource", "get", $"app/key/{tag}", "--token-file", _cli.Path("token.jwt"), "--key", keyFile, "--out", _cli.Path("opened.bin")));

        Assert.True(attest.ExitCode == 0, attest.Error + attest.Output);
        Assert.StartsWith($"affirming: policy {policy} v1", attest.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cli.Path("token.jwt")));
        Assert.True(get.ExitCode == 0, get.Error + get.Output);
        Assert.Equal(secret, File.ReadAllBytes(_cli.Path("opened.bin")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cli.Path("opened.bin")));
        foreach (string text in new[] { attest.Output, attest.Error, get.Output, get.Error })
        {
            Assert.DoesNotContain("correct horse", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(secret), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_resource_fetched_without_a_key_prints_only_the_sealed_envelope()
    {
        var (image, measurement) = SignedImage();
        string policy = Unique("pol"), tag = Unique("tag");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", $$"""{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true, "allowedUniqueIds": ["{{measurement}}"] }""")));
        byte[] secret = Encoding.UTF8.GetBytes("an envelope never shows this");
        _cli.Ok(Admin("resource", "put", $"app/key/{tag}", "--value-file", Write("secret.bin", secret), "--allow-policy", policy));
        using var recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        string runtimeData = Write("recipient.spki", recipient.ExportSubjectPublicKeyInfo());
        var (session, evidence) = ChallengeAndEvidence(policy, image, runtimeData);
        _cli.Ok(Service("attest", "--evidence", evidence, "--session", session, "--policy", policy, "--runtime-data", runtimeData, "--token-out", _cli.Path("token.jwt")));

        var output = _cli.Ok(Service("resource", "get", $"app/key/{tag}", "--token-file", _cli.Path("token.jwt")));

        var response = JsonSerializer.Deserialize<ResourceResponse>(output, AttestationServiceJson.Options)!;
        Assert.Equal(secret, ResourceEnvelope.Open(recipient, response.Envelope, $"app/key/{tag}"));
        Assert.DoesNotContain("never shows", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(secret), output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_contraindicated_verdict_exits_1_and_names_the_failed_check()
    {
        var (image, _) = SignedImage();
        string policy = Unique("pol");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", $$"""{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true, "allowedUniqueIds": ["{{new string('a', 64)}}"] }""")));
        string runtimeData = Write("rt.bin", RandomNumberGenerator.GetBytes(16));
        var (session, evidence) = ChallengeAndEvidence(policy, image, runtimeData);

        var (code, output, _) = _cli.Run(Service("attest", "--evidence", evidence, "--session", session, "--policy", policy, "--runtime-data", runtimeData, "--json"));

        Contraindicated(code, output, "PolicyUniqueIdNotAllowed");
    }

    [Fact]
    public void Collateral_given_on_the_command_line_reaches_the_service()
    {
        var (image, _) = SignedImage();
        string policy = Unique("pol");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""")));
        string runtimeData = Write("rt.bin", RandomNumberGenerator.GetBytes(16));
        var (session, evidence) = ChallengeAndEvidence(policy, image, runtimeData);

        // Simulation evidence carries its own certificates: the service names the collateral it was sent as not applying.
        var (code, output, _) = _cli.Run(Service("attest", "--evidence", evidence, "--collateral", Write("c1.pem", "one"), "--collateral", Write("c2.pem", "two"),
            "--session", session, "--policy", policy, "--runtime-data", runtimeData));

        Assert.Equal(SecGearCli.Failure, code);
        Assert.StartsWith($"contraindicated: policy {policy} v1: CollateralMalformed:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replayed_session_is_refused_with_exit_1_and_the_service_code()
    {
        var (image, _) = SignedImage();
        string policy = Unique("pol");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""")));
        string runtimeData = Write("rt.bin", RandomNumberGenerator.GetBytes(16));
        var (session, evidence) = ChallengeAndEvidence(policy, image, runtimeData);
        string[] attest = Service("attest", "--evidence", evidence, "--session", session, "--policy", policy, "--runtime-data", runtimeData);
        _cli.Ok(attest);

        var (code, _, error) = _cli.Run(attest);

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Contains(ServiceErrorCodes.ChallengeUnknown, error, StringComparison.Ordinal);
        Assert.StartsWith("secgear service attest: refused:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Policies_are_versioned_and_a_stale_if_version_is_a_version_conflict()
    {
        string policy = Unique("pol");
        string file = Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""");
        _cli.Ok(Admin("policy", "put", policy, "--file", file, "--create-only"));
        Assert.Contains($"policy {policy} v2", _cli.Ok(Admin("policy", "put", policy, "--file", file, "--if-version", "1")), StringComparison.Ordinal);

        var stale = _cli.Run(Admin("policy", "put", policy, "--file", file, "--if-version", "1"));
        var again = _cli.Run(Admin("policy", "put", policy, "--file", file, "--create-only"));
        var staleDelete = _cli.Run(Admin("policy", "delete", policy, "--if-version", "1"));

        Assert.Equal(SecGearCli.Failure, stale.ExitCode);
        Assert.Contains(ServiceErrorCodes.VersionConflict, stale.Error, StringComparison.Ordinal);
        Assert.Equal(SecGearCli.Failure, again.ExitCode);
        Assert.Equal(SecGearCli.Failure, staleDelete.ExitCode);
        var document = JsonSerializer.Deserialize<PolicyDocument>(_cli.Ok(Admin("policy", "get", policy)), AttestationServiceJson.Options)!;
        Assert.Equal(2, document.Version);
        Assert.True(document.Policy.GetProperty("allowSimulation").GetBoolean());
        Assert.Contains(policy, _cli.Ok(Admin("policy", "list")), StringComparison.Ordinal);
        _cli.Ok(Admin("policy", "delete", policy, "--if-version", "2"));
        var gone = _cli.Run(Admin("policy", "get", policy));
        Assert.Equal(SecGearCli.Failure, gone.ExitCode);
        Assert.Contains(ServiceErrorCodes.PolicyUnknown, gone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_policy_is_refused_with_the_field_named()
    {
        var (code, _, error) = _cli.Run(Admin("policy", "put", Unique("pol"), "--file", Write("policy.json", """{ "allowSimulaton": true }""")));

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Contains(ServiceErrorCodes.PolicyInvalid, error, StringComparison.Ordinal);
        Assert.Contains("allowSimulaton", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reference_values_round_trip_from_options_or_a_file_and_list_and_delete()
    {
        string fromOptions = Unique("rv"), fromFile = Unique("rv");
        string measurement = new('b', 64);
        _cli.Ok(Admin("refvalues", "put", fromOptions, "--unique-id", measurement, "--product-id", "3", "--min-svn", "2"));
        _cli.Ok(Admin("refvalues", "put", fromFile, "--file", Write("rv.json", $$"""{ "signerIds": ["{{new string('c', 64)}}"] }""")));

        var set = JsonSerializer.Deserialize<ReferenceValueSet>(_cli.Ok(Admin("refvalues", "get", fromOptions)), AttestationServiceJson.Options)!;
        var list = _cli.Ok(Admin("refvalues", "list"));
        _cli.Ok(Admin("refvalues", "delete", fromFile));

        Assert.Equal([measurement], set.UniqueIds);
        Assert.Equal([3], set.ProductIds);
        Assert.Equal(2, set.MinimumSecurityVersion);
        Assert.Contains(fromOptions, list, StringComparison.Ordinal);
        Assert.Contains(fromFile, list, StringComparison.Ordinal);
        Assert.DoesNotContain(fromFile, _cli.Ok(Admin("refvalues", "list")), StringComparison.Ordinal);
    }

    [Fact]
    public void Resource_listing_shows_paths_and_policies_but_never_values()
    {
        string policy = Unique("pol"), tag = Unique("tag");
        _cli.Ok(Admin("policy", "put", policy, "--file", Write("policy.json", """{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""")));
        _cli.Ok(Admin("resource", "put", $"app/key/{tag}", "--value-file", Write("secret.bin", "listing must not show this"u8.ToArray()), "--allow-policy", policy));

        var list = _cli.Ok(Admin("resource", "list"));
        var json = _cli.Ok(Admin("resource", "list", "--json"));
        _cli.Ok(Admin("resource", "delete", $"app/key/{tag}"));

        Assert.Contains($"app/key/{tag}", list, StringComparison.Ordinal);
        Assert.Contains(policy, list, StringComparison.Ordinal);
        Assert.DoesNotContain("must not show", list + json, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("listing must not show this"u8), list + json, StringComparison.Ordinal);
        Assert.DoesNotContain($"app/key/{tag}", _cli.Ok(Admin("resource", "list")), StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_commands_without_an_api_key_are_refused_and_a_wrong_key_is_never_echoed()
    {
        string wrongKey = "not-the-admin-key-" + Guid.NewGuid().ToString("N");

        var none = _cli.Run(Service("policy", "list"));
        var wrong = _cli.Run(["service", "--url", _service.Url, "--api-key-file", Write("wrong.key", wrongKey + "\n"), "policy", "list"]);

        Assert.Equal(SecGearCli.Failure, none.ExitCode);
        Assert.Contains(ServiceErrorCodes.AdminAuthenticationRequired, none.Error, StringComparison.Ordinal);
        Assert.Equal(SecGearCli.Failure, wrong.ExitCode);
        Assert.DoesNotContain(wrongKey, wrong.Error + wrong.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_administrator_jwt_file_opens_the_admin_commands_and_one_without_the_admin_scope_does_not()
    {
        string admin = Write("admin.jwt", _service.AdminJwt() + "\n");
        string reader = Write("reader.jwt", _service.AdminJwt(scope: "secgear.read"));

        var allowed = _cli.Run(Service("--admin-token-file", admin, "policy", "list"));
        var refused = _cli.Run(Service("--admin-token-file", reader, "policy", "list"));
        var both = _cli.Run(Service("--admin-token-file", admin, "--api-key-file", _service.AdminKeyFile, "policy", "list"));

        Assert.True(allowed.ExitCode == 0, allowed.Error);
        Assert.Equal(SecGearCli.Failure, refused.ExitCode);
        Assert.Contains(ServiceErrorCodes.AdminAuthenticationRequired, refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(reader), refused.Error, StringComparison.Ordinal);
        Assert.Equal(SecGearCli.UsageError, both.ExitCode);
    }

    [Fact]
    public void The_api_key_may_come_from_the_environment()
    {
        string? before = Environment.GetEnvironmentVariable("SECGEAR_API_KEY");
        Environment.SetEnvironmentVariable("SECGEAR_API_KEY", File.ReadAllText(_service.AdminKeyFile).Trim());
        try
        {
            Assert.Equal(0, _cli.Run(Service("policy", "list")).ExitCode);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SECGEAR_API_KEY", before);
        }
    }

    [Fact]
    public void A_service_that_is_not_listening_exits_3()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var (code, _, error) = _cli.Run(["service", "--url", $"http://127.0.0.1:{port}", "challenge"]);

        Assert.Equal(3, code);
        Assert.Contains("could not be reached", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("service", "--url", "ftp://127.0.0.1", "challenge")]
    [InlineData("service", "--url", "not a url", "challenge")]
    [InlineData("service", "--timeout", "0", "challenge")]
    [InlineData("service", "resource", "get", "only/two", "--token-file", "t")]
    [InlineData("service", "policy", "delete", "p", "--if-version", "0")]
    [InlineData("service", "attest", "--session", "s", "--policy", "p")]
    [InlineData("service", "policy", "get", "..")]
    [InlineData("service", "refvalues", "delete", "a%2Fb")]
    public void Malformed_command_lines_exit_2_without_contacting_the_service(params string[] args)
    {
        var (code, _, _) = _cli.Run(args);

        Assert.Equal(SecGearCli.UsageError, code);
    }

    [Fact]
    public void Create_only_and_if_version_exclude_each_other()
    {
        var (code, _, error) = _cli.Run(Admin("policy", "put", "p", "--file", Write("policy.json", "{}"), "--create-only", "--if-version", "3"));

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.Contains("exclude each other", error, StringComparison.Ordinal);
    }
}
