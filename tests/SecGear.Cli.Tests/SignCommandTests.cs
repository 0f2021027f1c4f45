using System.Security.Cryptography;
using System.Text.Json;
using SecGear.Images;

namespace SecGear.Cli.Tests;

public sealed class SignCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public SignCommandTests()
    {
        _cli.Ok("keygen", "--out", _cli.Path("key.pem"), "--public-out", _cli.Path("pub.pem"));
    }

    public void Dispose() => _cli.Dispose();

    private string SignOneStep(string image = "x.sgimage")
    {
        var (input, manifest) = _cli.Enclave();
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path(image));
        return _cli.Path(image);
    }

    [Fact]
    public void One_step_sign_produces_an_image_that_measure_and_inspect_agree_on()
    {
        var path = SignOneStep();
        var image = EnclaveImage.Load(path);

        var measured = _cli.Ok("measure", path).Trim();
        Assert.Equal(image.Identity.MeasurementHex, measured);
        var text = _cli.Ok("inspect", path);
        Assert.Contains($"measurement:      {measured}", text, StringComparison.Ordinal);
        Assert.Contains("security version: 5", text, StringComparison.Ordinal);
        Assert.Contains("lib/Dep.dll", text, StringComparison.Ordinal);
        Assert.Equal(["Hello.Enclave.dll", "lib/Dep.dll"], image.Files.Select(f => f.Path));
        Assert.Equal(new EnclaveManifest { Name = "hello", ProductId = 3, SecurityVersion = 5, Debug = true, MaxThreads = 2, HeapLimit = 1048576, EntryAssembly = "Hello.Enclave.dll" }, image.Manifest);
    }

    [Fact]
    public void Inspect_json_reports_manifest_identity_and_files()
    {
        var path = SignOneStep();
        using var json = JsonDocument.Parse(_cli.Ok("inspect", path, "--json"));
        var root = json.RootElement;
        var image = EnclaveImage.Load(path);

        Assert.Equal(image.Identity.MeasurementHex, root.GetProperty("measurement").GetString());
        Assert.Equal(image.Identity.SignerHex, root.GetProperty("signer").GetString());
        Assert.Equal(3, root.GetProperty("productId").GetInt32());
        Assert.Equal(5, root.GetProperty("securityVersion").GetInt32());
        Assert.True(root.GetProperty("debug").GetBoolean());
        Assert.Equal("hello", root.GetProperty("manifest").GetProperty("name").GetString());
        Assert.Equal(2, root.GetProperty("files").GetArrayLength());
    }

    [Fact]
    public void Two_step_signing_with_an_external_DER_signature_gives_the_same_measurement()
    {
        var oneStep = EnclaveImage.Load(SignOneStep());
        var (input, manifest) = _cli.Enclave();
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--digest-out", _cli.Path("digest.bin"));
        var digest = File.ReadAllBytes(_cli.Path("digest.bin"));
        Assert.Equal(48, digest.Length);

        using var hsm = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        File.WriteAllBytes(_cli.Path("sig.der"), hsm.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence));
        File.WriteAllText(_cli.Path("hsm.pub.pem"), hsm.ExportSubjectPublicKeyInfoPem());
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--signature", _cli.Path("sig.der"), "--public-key", _cli.Path("hsm.pub.pem"), "--out", _cli.Path("two.sgimage"));

        var twoStep = EnclaveImage.Load(_cli.Path("two.sgimage"));
        Assert.Equal(oneStep.Identity.Measurement, twoStep.Identity.Measurement);
        Assert.Equal(SHA256.HashData(hsm.ExportSubjectPublicKeyInfo()), twoStep.Identity.Signer);
    }

    [Fact]
    public void Two_step_signing_rejects_a_signature_that_does_not_match_the_public_key()
    {
        var (input, manifest) = _cli.Enclave();
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--digest-out", _cli.Path("digest.bin"));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        File.WriteAllBytes(_cli.Path("sig.bin"), other.SignHash(File.ReadAllBytes(_cli.Path("digest.bin"))));

        var (code, _, error) = _cli.Run("sign", "--manifest", manifest, "--input", input, "--signature", _cli.Path("sig.bin"), "--public-key", _cli.Path("pub.pem"), "--out", _cli.Path("bad.sgimage"));

        Assert.Equal(1, code);
        Assert.Contains("does not verify", error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Path("bad.sgimage")));
    }

    [Fact]
    public void Command_line_values_override_the_manifest_file()
    {
        var (input, manifest) = _cli.Enclave();
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage"),
            "--security-version", "9", "--debug", "false", "--name", "renamed");

        var image = EnclaveImage.Load(_cli.Path("x.sgimage"));
        Assert.Equal((ushort)9, image.Identity.SecurityVersion);
        Assert.False(image.Identity.Debug);
        Assert.Equal("renamed", image.Manifest.Name);
        Assert.Equal((ushort)3, image.Identity.ProductId);
    }

    [Theory]
    [InlineData("""{ "name": "x", "entryAssembly": "Hello.Enclave.dll", "colour": "blue" }""", "unknown property 'colour'")]
    [InlineData("""{ "name": "x", "entryAssembly": "Hello.Enclave.dll", "productId": 70000 }""", "'productId' must be an integer")]
    [InlineData("""{ "name": "x", "entryAssembly": "Hello.Enclave.dll", "debug": "yes" }""", "'debug' must be true or false")]
    [InlineData("""{ "name": "x", "entryAssembly": "Hello.Enclave.dll", "maxThreads": 0 }""", "MaxThreads is 0")]
    [InlineData("""{ "name": "x", "entryAssembly": "../Hello.Enclave.dll" }""", "EntryAssembly")]
    [InlineData("""{ "name": "x", "entryAssembly": "Missing.dll" }""", "has not been added")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{ "name": """, "")]
    public void Invalid_manifests_fail_with_a_clear_error(string json, string expected)
    {
        var (input, _) = _cli.Enclave();
        File.WriteAllText(_cli.Path("bad.json"), json);

        var (code, _, error) = _cli.Run("sign", "--manifest", _cli.Path("bad.json"), "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage"));

        Assert.Equal(1, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Path("x.sgimage")));
    }

    [Fact]
    public void Missing_required_values_and_conflicting_modes_are_usage_errors()
    {
        var (input, manifest) = _cli.Enclave();
        Assert.Equal(2, _cli.Run("sign", "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage")).ExitCode);
        Assert.Equal(2, _cli.Run("sign", "--manifest", manifest, "--input", input, "--out", _cli.Path("x.sgimage")).ExitCode);
        Assert.Equal(2, _cli.Run("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--digest-out", _cli.Path("d.bin")).ExitCode);
        Assert.Equal(2, _cli.Run("sign", "--manifest", manifest, "--input", input, "--signature", _cli.Path("s.bin"), "--out", _cli.Path("x.sgimage")).ExitCode);
        Assert.Equal(2, _cli.Run("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem")).ExitCode);
        Assert.Equal(2, _cli.Run("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--out", "x", "--max-threads", "many").ExitCode);
        Assert.Equal(2, _cli.Run("frobnicate").ExitCode);
    }

    [Fact]
    public void A_missing_input_or_key_fails_without_writing_an_image()
    {
        var (input, manifest) = _cli.Enclave();
        Assert.Equal(1, _cli.Run("sign", "--manifest", manifest, "--input", _cli.Path("nope"), "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage")).ExitCode);
        Assert.Equal(1, _cli.Run("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("nokey.pem"), "--out", _cli.Path("x.sgimage")).ExitCode);
        File.WriteAllText(_cli.Path("garbage.pem"), "not a key");
        Assert.Equal(1, _cli.Run("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("garbage.pem"), "--out", _cli.Path("x.sgimage")).ExitCode);
        Assert.Equal(1, _cli.Run("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("pub.pem"), "--out", _cli.Path("x.sgimage")).ExitCode);
        Assert.False(File.Exists(_cli.Path("x.sgimage")));
    }

    [Fact]
    public void Individual_files_are_added_by_file_name()
    {
        var (input, manifest) = _cli.Enclave();
        _cli.Ok("sign", "--manifest", manifest, "--input", Path.Combine(input, "Hello.Enclave.dll"), Path.Combine(input, "lib", "Dep.dll"),
            "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage"));
        Assert.Equal(["Dep.dll", "Hello.Enclave.dll"], EnclaveImage.Load(_cli.Path("x.sgimage")).Files.Select(f => f.Path));
    }
}
