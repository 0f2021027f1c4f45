namespace SecGear.Samples.Tests;

public sealed class LocalAttestationTests
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("LocalAttestation", "LocalAttestation.Host"), "LocalAttestation.Host.dll");

    [Fact]
    public void Two_enclaves_attest_each_other_share_a_key_refuse_a_tampered_message_and_one_proves_itself_remotely()
    {
        var (code, output, error) = SampleRun.Run(HostDll);

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains("engine:           simulation", output);
        var a = System.Text.RegularExpressions.Regex.Match(output, "enclave A:        ([0-9a-f]{64})").Groups[1].Value;
        var b = System.Text.RegularExpressions.Regex.Match(output, "enclave B:        ([0-9a-f]{64})").Groups[1].Value;
        Assert.NotEqual(a, b);
        Assert.Contains($"A verified B:     {b}", output);
        Assert.Contains($"B verified A:     {a}", output);
        Assert.Contains("B decrypted:      meet at the usual place", output);
        Assert.Contains("refused: The report's MAC does not verify", output);
        Assert.Contains("tampered msg 2:   refused by the responder", output);
        Assert.Contains($"B's evidence:     verified (secgear-simulation, simulated, measurement {b[..16]}..., nonce bound)", output);
    }
}
