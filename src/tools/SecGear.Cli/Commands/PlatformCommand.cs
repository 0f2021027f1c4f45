using System.CommandLine;
using SecGear.Trusted.Platform;

namespace SecGear.Cli.Commands;

/// <summary>
/// <c>secgear platform init [--secret-path P]</c>: creates the simulated platform secret if absent (mode 0600),
/// validates it and prints its location and fingerprint (never the secret).
/// </summary>
internal static class PlatformCommand
{
    public static Command Create()
    {
        var secretPath = new Option<FileInfo?>("--secret-path") { Description = "Platform secret file (default: $SECGEAR_PLATFORM_SECRET, else ~/.secgear/simulation/platform.secret)." };
        var init = new Command("init", "Create (if absent) and validate the simulated platform secret; print its fingerprint.") { secretPath };
        CliAction.Set(init, (parse, stdout) =>
        {
            var options = parse.GetValue(secretPath) is { } path ? new SimulatedPlatformOptions { SecretPath = path.FullName } : new SimulatedPlatformOptions();
            var fingerprint = SimulatedPlatform.EnsureSecret(options);
            stdout.WriteLine($"secret: {options.SecretPath}");
            stdout.WriteLine($"fingerprint: {Convert.ToHexStringLower(fingerprint)}");
            return SecGearCli.Success;
        });
        return new Command("platform", "The simulation engine's platform (the simulated fused key).") { init };
    }
}
