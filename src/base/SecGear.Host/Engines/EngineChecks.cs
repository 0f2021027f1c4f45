using SecGear.Images;
using SecGear.Switchless;

namespace SecGear.Host.Engines;

/// <summary>Checks every built-in engine applies at creation.</summary>
internal static class EngineChecks
{
    /// <summary>
    /// The switchless settings requested in <paramref name="options"/> (validated), or null; any other feature, or
    /// switchless requested twice, is refused.
    /// </summary>
    /// <exception cref="ArgumentException">A switchless option is out of range.</exception>
    /// <exception cref="EnclaveNotSupportedException">A feature the built-in engines do not implement.</exception>
    public static SwitchlessConfig? Switchless(string engine, EnclaveOptions options)
    {
        EnclaveFeature[] other = [.. options.Features.Where(f => f is not SwitchlessOptions)];
        if (other.Length > 0)
        {
            throw new EnclaveNotSupportedException(
                $"The {engine} engine does not implement the requested feature(s): {string.Join(", ", other.Select(f => f?.Name ?? "null"))}.");
        }

        SwitchlessOptions[] switchless = [.. options.Features.OfType<SwitchlessOptions>()];
        if (switchless.Length > 1)
        {
            throw new ArgumentException("EnclaveOptions.Features holds SwitchlessOptions more than once.", nameof(options));
        }

        return switchless.Length == 1 ? switchless[0].ToConfig() : null;
    }

    /// <summary>A debug enclave may only be created from an image whose signed manifest allows debugging (as on SGX).</summary>
    public static void CheckDebugFlag(EnclaveFlags flags, EnclaveManifest manifest)
    {
        if ((flags & EnclaveFlags.Debug) != 0 && !manifest.Debug)
        {
            throw new EnclaveNotSupportedException($"Enclave '{manifest.Name}' is signed as a production enclave; it cannot be created with EnclaveFlags.Debug.");
        }
    }
}
