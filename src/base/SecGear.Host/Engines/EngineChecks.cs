using SecGear.Images;

namespace SecGear.Host.Engines;

/// <summary>Checks every built-in engine applies at creation.</summary>
internal static class EngineChecks
{
    public static void RejectFeatures(string engine, EnclaveOptions options)
    {
        if (options.Features.Count > 0)
        {
            throw new EnclaveNotSupportedException(
                $"The {engine} engine does not implement the requested feature(s): {string.Join(", ", options.Features.Select(f => f.Name))}.");
        }
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
