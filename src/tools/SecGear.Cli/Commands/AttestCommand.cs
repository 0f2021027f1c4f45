using System.CommandLine;
using SecGear.Images;
using SecGear.Trusted.Platform;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear attest --image I --out F [--report-data HEX] [--secret-path P]</c>: verifies and measures a signed
/// enclave image and writes the simulation evidence this machine's simulated platform gives that enclave (the same
/// bytes, up to the signature, that <c>IAttestingPlatform.GetEvidence</c> returns inside the simulation runner).
/// It does not start the enclave: in simulation the platform secret is the user's file, so this is no weaker.
/// </summary>
internal static class AttestCommand
{
    public static Command Create()
    {
        var image = new Option<FileInfo>("--image") { Description = "The signed enclave image (.sgimage).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the evidence.", Required = true };
        var reportData = new Option<string?>("--report-data") { Description = "Up to 64 bytes of report data, as hex (e.g. a verifier's nonce); default: zeros." };
        var secretPath = new Option<FileInfo?>("--secret-path") { Description = "Platform secret file (default: $SECGEAR_PLATFORM_SECRET, else ~/.secgear/simulation/platform.secret)." };
        var command = new Command("attest", "Write simulation evidence for a signed enclave image, from this machine's simulated platform.")
        {
            image, output, reportData, secretPath,
        };
        CliAction.Set(command, (parse, stdout) =>
        {
            var data = ParseReportData(parse.GetValue(reportData));
            var loaded = EnclaveImage.Load(parse.GetRequiredValue(image).FullName);
            var options = parse.GetValue(secretPath) is { } path ? new SimulatedPlatformOptions { SecretPath = path.FullName } : new SimulatedPlatformOptions();
            using var platform = new SimulatedPlatform(loaded.Identity, options);
            var evidence = platform.GetEvidence(data);
            var destination = parse.GetRequiredValue(output).FullName;
            File.WriteAllBytes(destination, evidence);
            stdout.WriteLine($"evidence: {destination} ({evidence.Length} bytes, format {platform.EvidenceFormat})");
            stdout.WriteLine($"measurement: {loaded.Identity.MeasurementHex}");
            return SecGearCli.Success;
        });
        return command;
    }

    private static byte[] ParseReportData(string? hex)
    {
        if (string.IsNullOrEmpty(hex))
        {
            return [];
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new CliUsageException($"--report-data must be hex; got '{hex}'");
        }

        return bytes.Length <= 64 ? bytes : throw new CliUsageException($"--report-data is {bytes.Length} bytes; at most 64 are allowed");
    }
}
