using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SecGear.Samples.Tests;

public sealed class KeyBrokerTests : IDisposable
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("KeyBroker", "KeyBroker.Host"), "KeyBroker.Host.dll");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-keybroker-test-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _secret = Encoding.UTF8.GetBytes("kb-secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));

    public KeyBrokerTests()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllBytes(Path.Combine(_directory, "secret.bin"), _secret);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private (int Code, string Output, string Error) Run(string enclave, string state) =>
        SampleRun.Run(HostDll, "--enclave", enclave, "--secret-file", Path.Combine(_directory, "secret.bin"), "--state-dir", Path.Combine(_directory, state));

    private void AssertNeverShown(string text)
    {
        Assert.DoesNotContain(Encoding.UTF8.GetString(_secret), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(_secret), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(_secret), text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_genuine_enclave_refuses_a_tampered_envelope_then_opens_and_seals_the_secret_and_the_modified_one_is_refused_while_the_host_never_shows_it()
    {
        var genuine = Run("genuine", "genuine");
        var modified = Run("modified", "modified");

        Assert.True(genuine.Code == 0, $"exit {genuine.Code}\n{genuine.Output}\n{genuine.Error}");
        string pinned = Regex.Match(genuine.Output, "for measurement ([0-9a-f]{16})\\.\\.\\.").Groups[1].Value;
        Assert.Matches($"enclave:     KeyBroker.Enclave, measurement {pinned}[0-9a-f]{{48}}", genuine.Output);
        Assert.Contains("attestation: affirming (policy keybroker v1", genuine.Output, StringComparison.Ordinal);
        Assert.Contains("host key:    evidence the host requested for its own key is refused (PolicyReportDataMismatch)", genuine.Output, StringComparison.Ordinal);
        Assert.Contains("enclave: refused: the envelope does not open", genuine.Output, StringComparison.Ordinal);
        Assert.Contains("tampered:    an envelope with one tag bit flipped is refused by the enclave", genuine.Output, StringComparison.Ordinal);
        Assert.Contains($"enclave: opened keybroker/key/db ({_secret.Length} bytes) and sealed it to measurement {pinned}...", genuine.Output, StringComparison.Ordinal);
        string adminCheck = Regex.Match(genuine.Output, "check value ([0-9a-f]{16})\\)").Groups[1].Value;
        Assert.Contains($"the enclave's check value {adminCheck} matches the admin's", genuine.Output, StringComparison.Ordinal);
        byte[] sealedBlob = File.ReadAllBytes(Path.Combine(_directory, "genuine", "keybroker.sealed"));
        Assert.Equal(-1, sealedBlob.AsSpan().IndexOf(_secret));

        Assert.Equal(1, modified.Code);
        Assert.Matches("enclave:     KeyBroker.EnclaveModified, measurement [0-9a-f]{64}", modified.Output);
        Assert.DoesNotContain($"KeyBroker.EnclaveModified, measurement {pinned}", modified.Output, StringComparison.Ordinal);
        Assert.Contains("resource:    refused: ResourcePolicyUnsatisfied", modified.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("the secret is", modified.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "modified", "keybroker.sealed")));

        foreach (string text in new[] { genuine.Output, genuine.Error, modified.Output, modified.Error })
        {
            AssertNeverShown(text);
        }
    }
}
