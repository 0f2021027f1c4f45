using Microsoft.Extensions.Logging;

namespace SecGear.Host;

/// <summary>Settings for <see cref="Enclave.Create"/>.</summary>
public sealed class EnclaveOptions
{
    /// <summary>Default limit on one request or response: 64 MiB.</summary>
    public const int DefaultMaxPayloadBytes = 64 * 1024 * 1024;

    /// <summary>Optional features (e.g. switchless calls); engines refuse features they do not support.</summary>
    public IList<EnclaveFeature> Features { get; } = [];

    /// <summary>Receives the enclave's log messages (level, category, text); null drops them.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Largest request or response, in bytes. Larger ones fail with <see cref="PayloadTooLargeException"/> on the sending side.</summary>
    public int MaxPayloadBytes { get; init; } = DefaultMaxPayloadBytes;

    /// <summary>Where the simulated platform keeps its per-machine secret; null for the platform's default location.</summary>
    public string? PlatformSecretPath { get; init; }

    /// <summary>Path of SecGear.Runner.dll (or its apphost); null to use the one deployed in secgear-runner/ beside SecGear.Host.dll.</summary>
    public string? RunnerPath { get; init; }

    /// <summary>How long the simulation engine waits for the runner to verify the image and report ready.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long an ECALL waits for a free enclave thread (TCS) when all are busy before it fails with
    /// <see cref="EnclaveOutOfThreadsException"/>. Zero (the default, as on SGX) fails at once.
    /// </summary>
    public TimeSpan ThreadWaitTimeout { get; init; } = TimeSpan.Zero;

    internal void Validate()
    {
        if (MaxPayloadBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPayloadBytes), MaxPayloadBytes, "The payload limit must be positive.");
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(StartTimeout), StartTimeout, "The start timeout must be positive.");
        }

        if (ThreadWaitTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ThreadWaitTimeout), ThreadWaitTimeout, "The thread wait timeout cannot be negative.");
        }

        foreach (SwitchlessOptions switchless in Features.OfType<SwitchlessOptions>())
        {
            switchless.Validate();
        }
    }
}
