using System.Security.Cryptography;

namespace SecGear.Cli.Tests;

// Key file permissions are POSIX modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeygenCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Keygen_writes_an_owner_only_P384_PKCS8_key_and_its_public_key()
    {
        var output = _cli.Ok("keygen", "--out", _cli.Path("key.pem"), "--public-out", _cli.Path("pub.pem"));

        var pem = File.ReadAllText(_cli.Path("key.pem"));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
        using var key = ECDsa.Create();
        key.ImportFromPem(pem);
        Assert.Equal(384, key.KeySize);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cli.Path("key.pem")));
        using var pub = ECDsa.Create();
        pub.ImportFromPem(File.ReadAllText(_cli.Path("pub.pem")));
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), pub.ExportSubjectPublicKeyInfo());
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), output, StringComparison.Ordinal);
    }

    [Fact]
    public void Keygen_refuses_to_replace_a_key_unless_forced()
    {
        _cli.Ok("keygen", "--out", _cli.Path("key.pem"));
        var before = File.ReadAllText(_cli.Path("key.pem"));

        var (code, _, error) = _cli.Run("keygen", "--out", _cli.Path("key.pem"));
        Assert.Equal(1, code);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(_cli.Path("key.pem")));

        _cli.Ok("keygen", "--out", _cli.Path("key.pem"), "--force");
        Assert.NotEqual(before, File.ReadAllText(_cli.Path("key.pem")));
    }

    [Fact]
    public void Keygen_if_missing_keeps_an_existing_key()
    {
        _cli.Ok("keygen", "--out", _cli.Path("key.pem"));
        var before = File.ReadAllText(_cli.Path("key.pem"));

        Assert.Contains("kept existing", _cli.Ok("keygen", "--out", _cli.Path("key.pem"), "--if-missing"), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(_cli.Path("key.pem")));
    }

    [Fact]
    public void Keygen_with_contradicting_options_is_a_usage_error()
    {
        Assert.Equal(2, _cli.Run("keygen", "--out", _cli.Path("key.pem"), "--force", "--if-missing").ExitCode);
        Assert.Equal(2, _cli.Run("keygen").ExitCode);
    }
}
