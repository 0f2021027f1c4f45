namespace SecGear.Cli.Tests;

public sealed class MeasureCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Signed()
    {
        var (input, manifest) = _cli.Enclave();
        _cli.Ok("keygen", "--out", _cli.Path("key.pem"));
        _cli.Ok("sign", "--manifest", manifest, "--input", input, "--key", _cli.Path("key.pem"), "--out", _cli.Path("x.sgimage"));
        return _cli.Path("x.sgimage");
    }

    [Theory]
    [InlineData("measure")]
    [InlineData("inspect")]
    public void A_tampered_image_fails_with_the_reason(string command)
    {
        var path = Signed();
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 10] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var (code, output, error) = _cli.Run(command, path);

        Assert.Equal(1, code);
        Assert.Empty(output);
        Assert.Contains("signature does not verify", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_image_fails()
    {
        var path = Signed();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var (code, _, error) = _cli.Run("measure", path);
        Assert.Equal(1, code);
        Assert.Contains("truncated", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_an_image_fails()
    {
        File.WriteAllText(_cli.Path("notes.txt"), "hello");
        var (code, _, error) = _cli.Run("inspect", _cli.Path("notes.txt"), "--json");
        Assert.Equal(1, code);
        Assert.Contains("Not an enclave image", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Measure_without_an_image_is_a_usage_error()
    {
        Assert.Equal(2, _cli.Run("measure").ExitCode);
    }
}
