namespace SecGear.Simulation;

/// <summary>Configuration of the simulated platform (<c>SecGear.Trusted.Platform.SimulatedPlatform</c>).</summary>
public sealed class SimulatedPlatformOptions
{
    /// <summary>Environment variable that overrides the default platform secret location.</summary>
    public const string SecretPathVariable = "SECGEAR_PLATFORM_SECRET";

    /// <summary>
    /// File holding the per-machine platform secret (the simulated fused key). Default: the
    /// <c>SECGEAR_PLATFORM_SECRET</c> environment variable, else <c>~/.secgear/simulation/platform.secret</c>.
    /// Created with mode 0600 on first use.
    /// </summary>
    public string SecretPath { get; init; } = DefaultSecretPath;

    /// <summary>
    /// False when the enclave runs inside its host's process (the in-process engine); its evidence then says so
    /// (<see cref="SecGear.Simulation.SimulationEvidence.InProcess"/>) and default policies refuse it.
    /// </summary>
    public bool Isolated { get; init; } = true;

    /// <summary>The secret location used when <see cref="SecretPath"/> is not set.</summary>
    public static string DefaultSecretPath =>
        Environment.GetEnvironmentVariable(SecretPathVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "simulation", "platform.secret");
}
