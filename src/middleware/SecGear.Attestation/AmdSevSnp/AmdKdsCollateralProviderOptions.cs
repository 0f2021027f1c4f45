namespace SecGear.Attestation.AmdSevSnp;

/// <summary>Options of <see cref="AmdKdsCollateralProvider"/>.</summary>
public sealed class AmdKdsCollateralProviderOptions
{
    /// <summary>Base address of AMD KDS or a compatible cache (<c>vcek/v1/...</c> paths are appended). Default: AMD KDS.</summary>
    public Uri BaseAddress { get; init; } = new("https://kdsintf.amd.com/");

    /// <summary>Largest response body accepted, in bytes (default 64 KiB; a VCEK is about 1.3 KB, a chain about 4.6 KB).</summary>
    public int MaxResponseSize { get; init; } = 64 * 1024;

    /// <summary>Most responses kept in the cache (VCEKs and chains do not change for a given URL); cleared when full. Default 1024.</summary>
    public int CacheCapacity { get; init; } = 1024;
}
