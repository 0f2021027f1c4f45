namespace SecGear.Samples.Tests;

public sealed class CryptoModuleTests
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("CryptoModule", "CryptoModule.Host"), "CryptoModule.Host.dll");

    [Fact]
    public void Demo_runs_every_step_over_the_api_and_pkcs11_tool_then_uses_the_same_keys_after_a_restart()
    {
        var (code, output, error) = SampleRun.Run(HostDll, "--demo");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        foreach (string step in new[] { "attest", "tenant", "keys", "import (wrapped)", "sign/verify (API)", "encrypt/decrypt (API)", "pkcs11-tool", "same keys after restart" })
        {
            Assert.Contains($"ok           {step}:", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
        Assert.Contains("demo:        all 8 steps succeeded", output, StringComparison.Ordinal);
    }
}
