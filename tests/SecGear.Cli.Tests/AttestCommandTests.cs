using SecGear.Images;
using SecGear.Simulation;

namespace SecGear.Cli.Tests;

/// <summary><c>secgear attest</c> starts the fixture enclave and asks it for evidence; <c>secgear verify</c> checks it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AttestCommandTests : IDisposable
{
    private const string Nonce = "00112233445566778899aabbccddeeff";
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Secret => _cli.Path("sim/platform.secret");

    private string Evidence => _cli.Path("evidence.bin");

    /// <summary>The fixture enclave (a real enclave assembly with a contract), signed by the CLI as a debug image.</summary>
    private string Signed()
    {
        var input = _cli.Path("in");
        Directory.CreateDirectory(input);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "TestEnclave.dll"), Path.Combine(input, "TestEnclave.dll"));
        var manifest = _cli.Path("manifest.json");
        File.WriteAllText(manifest, """{ "name": "TestEnclave", "productId": 7, "securityVersion": 3, "debug": true, "maxThreads": 2, "heapLimit": 1048576, "entryAssembly": "TestEnclave.dll" }""");
        _cli.Ok("keygen", "--out", _cli.Path("key.pem"));
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage"));
        return _cli.Path("x.sgimage");
    }

    private string Policy(string json)
    {
        File.WriteAllText(_cli.Path("policy.json"), json);
        return _cli.Path("policy.json");
    }

    private static string Line(string output, string prefix) =>
        output.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..].Trim();

    [Fact]
    public void Platform_init_prints_the_simulated_CA_path_and_fingerprint()
    {
        var output = _cli.Ok("platform", "init", "--secret-path", Secret);

        var caPath = Line(output, "attestation ca: ");
        Assert.True(File.Exists(caPath));
        var der = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(caPath)).RawData;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(der)), Line(output, "attestation ca sha256: "));
    }

    [Theory]
    [InlineData("simulation")]
    [InlineData("inprocess")]
    public void Evidence_from_the_running_enclave_verifies_with_the_simulated_CA_for_the_image_measurement_and_nonce(string engine)
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        var measurement = EnclaveImage.Load(image).Identity.MeasurementHex;
        var attest = _cli.Ok("attest", "--enclave", image, "--engine", engine, "--report-data", Nonce, "--secret-path", Secret, "--out", Evidence, "--json");
        var policy = Policy($$"""{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true, "allowedUniqueIds": ["{{measurement}}"], "expectedHostReportData": "{{Nonce}}" }""");
        var isolatedOnly = _cli.Path("isolated-only.json");
        File.WriteAllText(isolatedOnly, $$"""{ "allowSimulation": true, "allowDebug": true, "allowedUniqueIds": ["{{measurement}}"], "expectedHostReportData": "{{Nonce}}" }""");

        var output = _cli.Ok("verify", "--evidence", Evidence, "--simulation-ca", caPath, "--policy", policy, "--json");
        var (isolatedCode, _, isolatedError) = _cli.Run("verify", "--evidence", Evidence, "--simulation-ca", caPath, "--policy", isolatedOnly);

        Assert.Contains($"\"engine\": \"{engine}\"", attest, StringComparison.Ordinal);
        Assert.Contains($"\"measurement\": \"{measurement}\"", attest, StringComparison.Ordinal);
        Assert.Contains("\"format\": \"secgear-simulation\"", attest, StringComparison.Ordinal);
        Assert.Contains("\"simulated\": true", output, StringComparison.Ordinal);
        Assert.Contains(measurement, output, StringComparison.Ordinal);
        Assert.Contains(engine == "inprocess" ? "none (in-process engine)" : "\"isolation\": \"process\"", output, StringComparison.Ordinal);
        Assert.Equal(engine == "inprocess" ? 1 : 0, isolatedCode);
        Assert.True(engine != "inprocess" || isolatedError.Contains("PolicyInProcessNotAllowed", StringComparison.Ordinal), isolatedError);
    }

    [Fact]
    public void Evidence_bound_to_one_nonce_fails_a_policy_expecting_another()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        _cli.Ok("attest", "--enclave", image, "--report-data", Nonce, "--secret-path", Secret, "--out", Evidence);
        var policy = Policy("""{ "allowSimulation": true, "allowDebug": true, "expectedHostReportData": "ffeeddccbbaa99887766554433221100" }""");

        var (code, _, error) = _cli.Run("verify", "--evidence", Evidence, "--simulation-ca", caPath, "--policy", policy);

        Assert.Equal(1, code);
        Assert.Contains("ReportData", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nonce_file_becomes_the_report_data()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64);
        File.WriteAllBytes(_cli.Path("nonce.bin"), nonce);
        _cli.Ok("attest", "--enclave", image, "--nonce-file", _cli.Path("nonce.bin"), "--secret-path", Secret, "--out", Evidence);
        var policy = Policy($$"""{ "allowSimulation": true, "allowDebug": true, "expectedHostReportData": "{{Convert.ToHexStringLower(nonce)}}" }""");

        _cli.Ok("verify", "--evidence", Evidence, "--simulation-ca", caPath, "--policy", policy);
    }

    [Fact]
    public void Evidence_from_secgear_attest_never_passes_for_report_data_the_enclave_bound_itself()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        var attest = _cli.Ok("attest", "--enclave", image, "--report-data", Nonce, "--secret-path", Secret, "--out", Evidence, "--json");
        var enclaveBound = Policy($$"""{ "allowSimulation": true, "allowDebug": true, "expectedReportData": "{{Nonce}}" }""");

        var (code, _, error) = _cli.Run("verify", "--evidence", Evidence, "--simulation-ca", caPath, "--policy", enclaveBound);

        Assert.Equal(1, code);
        Assert.Contains("PolicyReportDataMismatch", error, StringComparison.Ordinal);
        Assert.Contains("host-requested", error, StringComparison.Ordinal);
        Assert.Contains($"\"boundReportData\": \"{Convert.ToHexStringLower(SecGear.Identity.HostReportData.Derive(Convert.FromHexString(Nonce)))}\"", attest, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_simulation_evidence_without_the_CA_or_without_a_policy_that_allows_simulation()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        _cli.Ok("attest", "--enclave", image, "--secret-path", Secret, "--out", Evidence);

        var (noCa, _, noCaError) = _cli.Run("verify", "--evidence", Evidence, "--policy", Policy("""{ "allowSimulation": true, "allowDebug": true }"""));
        var (noPolicy, _, noPolicyError) = _cli.Run("verify", "--evidence", Evidence, "--simulation-ca", caPath);

        Assert.Equal(1, noCa);
        Assert.Contains("UnsupportedEvidenceFormat", noCaError, StringComparison.Ordinal);
        Assert.Equal(1, noPolicy);
        Assert.Contains("PolicySimulationNotAllowed", noPolicyError, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_accepts_the_simulated_CA_as_DER_and_refuses_a_PEM_file_without_a_certificate()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        _cli.Ok("attest", "--enclave", image, "--engine", "inprocess", "--secret-path", Secret, "--out", Evidence);
        var der = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(caPath)).RawData;
        File.WriteAllBytes(_cli.Path("ca.der"), der);
        File.WriteAllText(_cli.Path("key.pem.txt"), System.Security.Cryptography.PemEncoding.WriteString("PUBLIC KEY", der));
        var policy = Policy("""{ "allowSimulation": true, "allowInProcess": true, "allowDebug": true }""");

        _cli.Ok("verify", "--evidence", Evidence, "--simulation-ca", _cli.Path("ca.der"), "--policy", policy);
        var (code, _, error) = _cli.Run("verify", "--evidence", Evidence, "--simulation-ca", _cli.Path("key.pem.txt"), "--policy", policy);

        Assert.Equal(2, code);
        Assert.Contains("no PEM CERTIFICATE", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simulation")]
    [InlineData("inprocess")]
    public void Attest_refuses_an_image_flipped_by_one_bit_before_any_evidence_exists(string engine)
    {
        var image = Signed();
        var bytes = File.ReadAllBytes(image);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(image, bytes);

        var (code, _, error) = _cli.Run("attest", "--enclave", image, "--engine", engine, "--secret-path", Secret, "--out", Evidence);

        Assert.Equal(1, code);
        Assert.Contains("secgear attest: error:", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Evidence));
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff")]
    public void Attest_refuses_report_data_that_is_not_hex_or_longer_than_64_bytes(string reportData)
    {
        var image = Signed();

        var (code, _, error) = _cli.Run("attest", "--enclave", image, "--report-data", reportData, "--secret-path", Secret, "--out", Evidence);

        Assert.Equal(2, code);
        Assert.Contains("--report-data", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Evidence));
    }

    [Fact]
    public void Attest_refuses_a_nonce_file_over_64_bytes_and_both_report_data_sources_at_once()
    {
        var image = Signed();
        File.WriteAllBytes(_cli.Path("nonce.bin"), new byte[65]);
        File.WriteAllBytes(_cli.Path("nonce64.bin"), new byte[64]);

        var (tooLong, _, tooLongError) = _cli.Run("attest", "--enclave", image, "--nonce-file", _cli.Path("nonce.bin"), "--secret-path", Secret, "--out", Evidence);
        var (both, _, bothError) = _cli.Run("attest", "--enclave", image, "--nonce-file", _cli.Path("nonce64.bin"), "--report-data", Nonce, "--secret-path", Secret, "--out", Evidence);

        Assert.Equal(2, tooLong);
        Assert.Contains("65 bytes", tooLongError, StringComparison.Ordinal);
        Assert.Equal(2, both);
        Assert.Contains("exclusive", bothError, StringComparison.Ordinal);
        Assert.False(File.Exists(Evidence));
    }

    [Fact]
    public void Attest_accepts_the_old_image_option_name()
    {
        var image = Signed();

        _cli.Ok("attest", "--image", image, "--engine", "inprocess", "--secret-path", Secret, "--out", Evidence);

        Assert.True(SimulationEvidence.LooksLike(File.ReadAllBytes(Evidence)));
    }
}
