namespace SecGear.Host.Tests;

/// <summary>A program's entry point gets one line and an exit code for an image the user got wrong, not a stack trace.</summary>
[Collection(ImagesCollection.Name)]
public sealed class EnclaveStartupTests(TestImages images)
{
    [Fact]
    public void A_tampered_image_is_reported_in_one_line_naming_the_image_and_gives_no_enclave()
    {
        var error = new StringWriter();
        using Enclave? enclave = EnclaveStartup.CreateOrReport(images.Tampered, EnclaveType.Simulation, error: error);

        Assert.Null(enclave);
        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith($"{AppDomain.CurrentDomain.FriendlyName}: cannot start the enclave from '{images.Tampered}': ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_image_is_reported_in_one_line_and_gives_no_enclave()
    {
        string missing = Path.Combine(images.Directory, "missing.sgimg");
        var error = new StringWriter();
        using Enclave? enclave = EnclaveStartup.CreateOrReport(missing, EnclaveType.InProcess, error: error);

        Assert.Null(enclave);
        Assert.Contains($"cannot start the enclave from '{missing}': ", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_image_starts_and_nothing_is_written()
    {
        var error = new StringWriter();
        using Enclave? enclave = EnclaveStartup.CreateOrReport(images.Main, EnclaveType.InProcess, error: error);

        Assert.NotNull(enclave);
        Assert.Equal("", error.ToString());
    }
}
