using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SecGear.Samples.Tests;

public sealed class SecureChannelTests : IDisposable
{
    private static readonly string HostDll = Path.Combine(SampleRun.OutputDirectory("SecureChannel", "SecureChannel.Host"), "SecureChannel.Host.dll");
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-sc-sample-" + Guid.NewGuid().ToString("N"));

    public SecureChannelTests() => Directory.CreateDirectory(_directory);

    /// <summary>The two protocols of the sample: the attested secure channel, and TLS 1.3 with RA-TLS ending in the enclave.</summary>
    public static TheoryData<string> Protocols => ["channel", "tls"];

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Client_sends_a_secret_through_the_host_and_the_enclave_acknowledges_and_seals_it(string protocol)
    {
        string secret = "sample secret " + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string sealedDir = Path.Combine(_directory, "sealed");
        string record = Path.Combine(_directory, "relayed.bin");

        var (code, output, error) = SampleRun.Run(HostDll, ["--port", "0", "--sealed-dir", sealedDir, "--record", record, "--demo", "--secret", secret, .. ProtocolArguments(protocol)]);

        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.Contains("engine:       simulation", output);
        string measurement = Regex.Match(output, "measurement:  ([0-9a-f]{64})").Groups[1].Value;
        Assert.Contains($"client | pinned:          measurement {measurement}", output);
        Assert.Contains($"client | attested:        secgear-simulation, simulated=True, measurement {measurement[..16]}...", output);
        Assert.Contains(protocol == "tls" ? "client | channel:         Tls13, " : "client | channel:         EcdheP256Aes256GcmSha256, ", output);

        // The acknowledgement came back through the channel and names the SHA-256 of exactly this secret.
        string digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        var ack = Regex.Match(output, $"client \\| acknowledgement: ack sha256={digest} sealed=([0-9]+) stored=#0");
        Assert.True(ack.Success, output);
        Assert.Contains("client | check:           the enclave holds exactly the secret sent", output);

        // The host stored the sealed blob it was handed: the acknowledged length, and not the secret in clear.
        string blob = Assert.Single(Directory.GetFiles(sealedDir));
        byte[] sealedBytes = File.ReadAllBytes(blob);
        Assert.Equal(int.Parse(ack.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), sealedBytes.Length);
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));

        // The host saw handshake frames and ciphertext only: neither its log nor the raw relayed bytes hold the secret.
        byte[] relayed = File.ReadAllBytes(record);
        Assert.True(relayed.Length > 1000, $"only {relayed.Length} bytes were recorded");
        Assert.Equal(-1, relayed.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
        Assert.Equal(-1, relayed.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)[..12]));
        string hostLog = string.Join('\n', output.Split('\n').Where(line => !line.StartsWith("client |", StringComparison.Ordinal)));
        Assert.Matches(protocol == "tls" ? "relay: +tls client -> enclave +[0-9]+ bytes  17030300" : "relay: +client -> enclave +type 5 ", hostLog);
        Assert.Matches(protocol == "tls" ? "relay: +enclave -> tls client +[0-9]+ bytes  17030300" : "relay: +enclave -> client +type 5 ", hostLog);
        Assert.DoesNotContain(secret, hostLog, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(secret))[..24], hostLog, StringComparison.Ordinal);
        Assert.DoesNotContain(digest, hostLog, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Client_pinning_another_measurement_is_refused_before_sending_the_secret(string protocol)
    {
        string secret = "never sent " + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        string sealedDir = Path.Combine(_directory, "sealed");
        string other = Convert.ToHexStringLower(SHA256.HashData("another enclave"u8));

        var (code, output, error) = SampleRun.Run(HostDll, ["--port", "0", "--sealed-dir", sealedDir, "--demo", "--measurement", other, "--secret", secret, .. ProtocolArguments(protocol)]);

        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains(protocol == "tls" ? "(PolicyRejected: the attestation policy refused the enclave (PolicyUniqueIdNotAllowed" : "client | refused:         AttestationFailed: PolicyUniqueIdNotAllowed", output);
        Assert.DoesNotContain("client | sent:", output);
        Assert.DoesNotContain("client | acknowledgement:", output);
        Assert.DoesNotMatch("relay: +client -> enclave +type 5 ", output);
        Assert.Empty(Directory.GetFiles(sealedDir));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string[] ProtocolArguments(string protocol) => protocol == "tls" ? ["--tls"] : [];
}
