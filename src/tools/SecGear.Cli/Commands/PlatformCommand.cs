using System.CommandLine;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear platform detect</c>: the engines and TEE interfaces of this machine, each absent one with its reason.
/// <c>secgear platform init [--secret-path P]</c>: creates the simulated platform secret if absent (mode 0600),
/// validates it and prints its location and fingerprint (never the secret), then the simulated attestation CA
/// certificate's path and SHA-256 fingerprint (what a verifier pins to accept this machine's simulation evidence).
/// </summary>
internal static class PlatformCommand
{
    public static Command Create()
    {
        var secretPath = new Option<FileInfo?>("--secret-path") { Description = "Platform secret file (default: $SECGEAR_PLATFORM_SECRET, else ~/.secgear/simulation/platform.secret)." };
        var init = new Command("init", "Create (if absent) and validate the simulated platform secret and attestation CA; print their fingerprints.") { secretPath };
        CliAction.Set(init, (parse, stdout) =>
        {
            var options = parse.GetValue(secretPath) is { } path ? new SimulatedPlatformOptions { SecretPath = path.FullName } : new SimulatedPlatformOptions();
            var fingerprint = SimulatedPlatform.EnsureSecret(options);
            stdout.WriteLine($"secret: {options.SecretPath}");
            stdout.WriteLine($"fingerprint: {Convert.ToHexStringLower(fingerprint)}");
            var ca = SimulatedAttestationAuthority.EnsureCaCertificate(options);
            stdout.WriteLine($"attestation ca: {SimulatedAttestationAuthority.CaCertificatePath(options.SecretPath)}");
            stdout.WriteLine($"attestation ca sha256: {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ca))}");
            return SecGearCli.Success;
        });
        var detect = new Command("detect", "Which engines and TEEs this machine offers, and for each absent one why (no provider, no permission, kernel too old).");
        CliAction.Set(detect, (_, stdout) =>
        {
            stdout.WriteLine("engines:");
            foreach (var engine in SecGear.Host.Engines.EnclaveEngines.All.OrderByDescending(e => e.Priority))
            {
                string why = engine.Type == SecGear.Host.EnclaveType.ConfidentialVm ? $": {ConfidentialVmSource()}" : string.Empty;
                stdout.WriteLine($"  {engine.Name,-16} {(engine.IsAvailable ? "available" : "absent")}{why}");
            }

            stdout.WriteLine($"  auto             {AutoChoice()}");
            stdout.WriteLine("tee interfaces:");
            foreach (var probe in SecGear.ConfidentialVm.ConfidentialVmDetection.ProbeAll())
            {
                string state = probe.Available ? "available" : $"absent ({probe.Failure})";
                stdout.WriteLine($"  {probe.Name,-16} {state}: {probe.Detail}");
            }

            return SecGearCli.Success;
        });
        return new Command("platform", "The simulation engine's platform (the simulated fused key), and which engines and TEEs this machine offers.") { init, detect };
    }

    private static string ConfidentialVmSource()
    {
        try
        {
            return SecGear.ConfidentialVm.ConfidentialVmDetection.OpenSource(out _).Description;
        }
        catch (SecGear.ConfidentialVm.Tsm.TsmException ex)
        {
            return $"{ex.Failure}: {ex.Message}";
        }
        catch (SecGear.ConfidentialVm.ConfidentialVmConfigurationException ex)
        {
            return ex.Message;
        }
    }

    private static string AutoChoice()
    {
        try
        {
            return $"-> {SecGear.Host.Engines.EnclaveEngines.Resolve(SecGear.Host.EnclaveType.Auto).Name}";
        }
        catch (SecGear.EnclaveNotSupportedException ex)
        {
            return $"-> none: {ex.Message}";
        }
    }
}
