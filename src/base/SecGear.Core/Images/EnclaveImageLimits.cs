namespace SecGear.Images;

/// <summary>Bounds every image reader and writer enforces before allocating (docs/image-format.md).</summary>
public static class EnclaveImageLimits
{
    /// <summary>Largest image accepted, in bytes (512 MiB).</summary>
    public const long MaxImageBytes = 512L * 1024 * 1024;

    /// <summary>Largest encoded manifest, in bytes.</summary>
    public const int MaxManifestBytes = 64 * 1024;

    /// <summary>Most files one image may carry.</summary>
    public const int MaxFiles = 4096;

    /// <summary>Longest file path, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 1024;

    /// <summary>Longest enclave name, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 256;

    /// <summary>Largest <see cref="EnclaveManifest.MaxThreads"/>.</summary>
    public const int MaxThreads = 4096;

    /// <summary>Largest <see cref="EnclaveManifest.HeapLimit"/> (1 TiB).</summary>
    public const long MaxHeapLimit = 1L << 40;

    /// <summary>Longest SubjectPublicKeyInfo in the signature block.</summary>
    public const int MaxPublicKeyBytes = 1024;

    /// <summary>Longest signature in the signature block.</summary>
    public const int MaxSignatureBytes = 1024;
}
