using SecGear.Images;

namespace SecGear.Cli.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AttestCommandTests : IDisposable
{
    private const string Nonce = "00112233445566778899aabbccddeeff";
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Secret => _cli.Path("sim/platform.secret");

    private string Signed()
    {
        var (input, manifest) = _cli.Enclave();
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

    [Fact]
    public void Attest_then_verify_with_the_simulated_CA_accepts_the_image_measurement_and_nonce()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        var measurement = EnclaveImage.Load(image).Identity.MeasurementHex;
        _cli.Ok("attest", "--image", image, "--report-data", Nonce, "--secret-path", Secret, "--out", _cli.Path("evidence.bin"));
        var policy = Policy($$"""{ "allowSimulation": true, "allowDebug": true, "allowedUniqueIds": ["{{measurement}}"], "expectedReportData": "{{Nonce}}" }""");

        var output = _cli.Ok("verify", "--evidence", _cli.Path("evidence.bin"), "--simulation-ca", caPath, "--policy", policy, "--json");

        Assert.Contains("\"simulated\": true", output, StringComparison.Ordinal);
        Assert.Contains(measurement, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_rejects_simulation_evidence_without_the_CA_or_without_a_policy_that_allows_simulation()
    {
        var image = Signed();
        var caPath = Line(_cli.Ok("platform", "init", "--secret-path", Secret), "attestation ca: ");
        _cli.Ok("attest", "--image", image, "--secret-path", Secret, "--out", _cli.Path("evidence.bin"));

        var (noCa, _, noCaError) = _cli.Run("verify", "--evidence", _cli.Path("evidence.bin"), "--policy", Policy("""{ "allowSimulation": true, "allowDebug": true }"""));
        var (noPolicy, _, noPolicyError) = _cli.Run("verify", "--evidence", _cli.Path("evidence.bin"), "--simulation-ca", caPath);

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
        _cli.Ok("attest", "--image", image, "--secret-path", Secret, "--out", _cli.Path("evidence.bin"));
        var der = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(caPath)).RawData;
        File.WriteAllBytes(_cli.Path("ca.der"), der);
        File.WriteAllText(_cli.Path("key.pem.txt"), System.Security.Cryptography.PemEncoding.WriteString("PUBLIC KEY", der));
        var policy = Policy("""{ "allowSimulation": true, "allowDebug": true }""");

        _cli.Ok("verify", "--evidence", _cli.Path("evidence.bin"), "--simulation-ca", _cli.Path("ca.der"), "--policy", policy);
        var (code, _, error) = _cli.Run("verify", "--evidence", _cli.Path("evidence.bin"), "--simulation-ca", _cli.Path("key.pem.txt"), "--policy", policy);

        Assert.Equal(2, code);
        Assert.Contains("no PEM CERTIFICATE", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Attest_refuses_a_tampered_image()
    {
        var image = Signed();
        var bytes = File.ReadAllBytes(image);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(image, bytes);

        var (code, _, _) = _cli.Run("attest", "--image", image, "--secret-path", Secret, "--out", _cli.Path("evidence.bin"));

        Assert.Equal(1, code);
        Assert.False(File.Exists(_cli.Path("evidence.bin")));
    }

    [Theory]
    [InlineData("xyz")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ff")]
    public void Attest_refuses_report_data_that_is_not_hex_or_longer_than_64_bytes(string reportData)
    {
        var image = Signed();

        var (code, _, error) = _cli.Run("attest", "--image", image, "--report-data", reportData, "--secret-path", Secret, "--out", _cli.Path("evidence.bin"));

        Assert.Equal(2, code);
        Assert.Contains("--report-data", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Path("evidence.bin")));
    }
}
