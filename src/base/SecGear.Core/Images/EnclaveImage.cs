using SecGear.Identity;

namespace SecGear.Images;

/// <summary>
/// A signed, measured enclave image that has been verified: its signature checks out and its measurement was
/// recomputed from the bytes loaded (never taken from the file).
/// </summary>
public sealed class EnclaveImage
{
    private EnclaveImage(EnclaveManifest manifest, EnclaveIdentity identity, IReadOnlyList<EnclaveImageFile> files)
    {
        Manifest = manifest;
        Identity = identity;
        Files = files;
    }

    /// <summary>The signed manifest.</summary>
    public EnclaveManifest Manifest { get; }

    /// <summary>Measurement, signer, product id, security version and debug flag.</summary>
    public EnclaveIdentity Identity { get; }

    /// <summary>The files the image carries.</summary>
    public IReadOnlyList<EnclaveImageFile> Files { get; }

    /// <summary>Reads and verifies an image file.</summary>
    /// <exception cref="EnclaveImageException">The image is malformed, tampered with or badly signed.</exception>
    public static EnclaveImage Load(string path)
    {
        throw new EnclaveNotSupportedException("Enclave images are being written (issue 3).");
    }

    /// <summary>Parses and verifies an image held in memory.</summary>
    /// <exception cref="EnclaveImageException">The image is malformed, tampered with or badly signed.</exception>
    public static EnclaveImage Load(ReadOnlySpan<byte> bytes)
    {
        throw new EnclaveNotSupportedException("Enclave images are being written (issue 3).");
    }

    internal static EnclaveImage Create(EnclaveManifest manifest, EnclaveIdentity identity, IReadOnlyList<EnclaveImageFile> files) =>
        new(manifest, identity, files);
}
