using SecGear.Identity;
using SecGear.Images;

namespace SecGear.Transport;

/// <summary>
/// The first line the runner writes to its standard output (JSON): either the region it created and the identity
/// it computed from the image it verified, or why it could not start.
/// </summary>
internal sealed record StartupMessage
{
    public string? Region { get; init; }

    public int SlotCount { get; init; }

    public int SlotSize { get; init; }

    public int MaxPayload { get; init; }

    public EnclaveManifest? Manifest { get; init; }

    public EnclaveIdentity? Identity { get; init; }

    /// <summary>True when the runner started the switchless pool (asked for, or asked for if the enclave's contracts declare switchless functions).</summary>
    public bool Switchless { get; init; }

    /// <summary>Set when the runner could not start: "image" (EnclaveImageException), "load" (EnclaveLoadException) or "runner".</summary>
    public string? Error { get; init; }

    public string? ImageError { get; init; }

    public string? Message { get; init; }
}
