namespace SecGear.Samples.Tests;

public sealed class HelloWorldTests
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("HelloWorld", "HelloWorld.Host"), "HelloWorld.Host.dll");
    private static readonly string Image = Path.Combine(SampleRun.OutputDirectory("HelloWorld", "HelloWorld.Host"), "HelloWorld.Enclave.sgimage");

    [Fact]
    public void HelloWorld_runs_end_to_end_on_the_simulation_engine()
    {
        var (code, output, error) = SampleRun.Run(HostDll);

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains("engine:      simulation", output);
        Assert.Matches("measurement: [0-9a-f]{64}", output);
        Assert.Matches("signer:      [0-9a-f]{64}", output);
        Assert.Contains("enclave: hello from inside 'HelloWorld.Enclave'", output);
        Assert.Contains("greeting:    Hello, world! (from the enclave)", output);
        Assert.Contains("unsealed:    matches the original secret", output);
    }

    [Fact]
    public void HelloWorld_prints_what_getting_started_documents()
    {
        var (code, output, error) = SampleRun.Run(HostDll);

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        DocumentedOutput.AssertMatches(DocumentedOutput.Block(DocumentedOutput.Page("getting-started.md"), "output", "HelloWorld.Host"), output);
    }

    [Fact]
    public void HelloWorld_refuses_an_image_with_one_flipped_byte_in_one_line_and_exit_1()
    {
        string tampered = Path.Combine(Path.GetTempPath(), "secgear-hello-" + Guid.NewGuid().ToString("N") + ".sgimage");
        byte[] bytes = File.ReadAllBytes(Image);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(tampered, bytes);
        try
        {
            var (code, output, error) = SampleRun.Run(HostDll, tampered);

            Assert.Equal(1, code);
            Assert.DoesNotContain("greeting:", output);
            string line = Assert.Single(error.TrimEnd().Split('\n'));
            Assert.StartsWith($"HelloWorld.Host: cannot start the enclave from '{tampered}': ", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tampered);
        }
    }
}
