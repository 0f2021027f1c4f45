using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SecGear.Identity;

namespace SecGear.Images;

/// <summary>
/// A signed, measured enclave image that has been verified: its signature checks out and its measurement was
/// recomputed from the bytes loaded (never taken from the file). Format: docs/image-format.md.
/// </summary>
public sealed class EnclaveImage
{
    private readonly Dictionary<string, EnclaveImageFile> _byPath;

    private EnclaveImage(EnclaveManifest manifest, EnclaveIdentity identity, IReadOnlyList<EnclaveImageFile> files, byte[] signerPublicKey)
    {
        Manifest = manifest;
        Identity = identity;
        Files = files;
        SignerPublicKey = signerPublicKey;
        _byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
    }

    /// <summary>The signed manifest.</summary>
    public EnclaveManifest Manifest { get; }

    /// <summary>Measurement, signer, product id, security version and debug flag.</summary>
    public EnclaveIdentity Identity { get; }

    /// <summary>The files the image carries, sorted by ordinal UTF-8 path.</summary>
    public IReadOnlyList<EnclaveImageFile> Files { get; }

    /// <summary>The signer's public key (SubjectPublicKeyInfo DER); <see cref="EnclaveIdentity.Signer"/> is its SHA-256.</summary>
    public ReadOnlyMemory<byte> SignerPublicKey { get; }

    /// <summary>The file the runtime loads first (<see cref="EnclaveManifest.EntryAssembly"/>).</summary>
    public EnclaveImageFile EntryAssembly => _byPath[Manifest.EntryAssembly];

    /// <summary>Looks up a file by its exact (ordinal) path.</summary>
    public bool TryGetFile(string path, [NotNullWhen(true)] out EnclaveImageFile? file)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _byPath.TryGetValue(path, out file);
    }

    /// <summary>Reads and verifies an image file.</summary>
    /// <exception cref="EnclaveImageException">The image is unreadable, malformed, tampered with or badly signed.</exception>
    public static EnclaveImage Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > EnclaveImageLimits.MaxImageBytes)
            {
                throw TooLarge(stream.Length);
            }

            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            if (stream.ReadByte() != -1)
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.Unreadable, $"Enclave image '{path}' changed while it was read.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.Unreadable, $"Cannot read enclave image '{path}': {ex.Message}", ex);
        }

        return Parse(bytes);
    }

    /// <summary>Parses and verifies an image held in memory. The bytes are copied first, so later changes do not matter.</summary>
    /// <exception cref="EnclaveImageException">The image is malformed, tampered with or badly signed.</exception>
    public static EnclaveImage Load(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > EnclaveImageLimits.MaxImageBytes)
        {
            throw TooLarge(bytes.Length);
        }

        return Parse(bytes.ToArray());
    }

    private static EnclaveImage Parse(byte[] image)
    {
        var magic = ImageFormat.Magic;
        if (!image.AsSpan(0, Math.Min(image.Length, magic.Length)).SequenceEqual(magic[..Math.Min(image.Length, magic.Length)]))
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.BadMagic, "Not an enclave image: the file does not start with the 'SGIMAGE' magic.");
        }

        var reader = new ImageReader(image);
        reader.Take(magic.Length, "the magic");
        ushort version = reader.ReadUInt16("the format version");
        if (version != ImageFormat.Version)
        {
            throw new EnclaveImageException(
                EnclaveImageFailureCode.UnsupportedVersion, $"Enclave image format version {version} is not supported; this reader supports version {ImageFormat.Version}.");
        }

        ushort flags = reader.ReadUInt16("the flags");
        if (flags != 0)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.UnsupportedFlags, $"Enclave image sets reserved flags 0x{flags:x4}; expected 0.");
        }

        uint manifestLength = reader.ReadUInt32("the manifest length");
        uint fileCount = reader.ReadUInt32("the file count");
        if (manifestLength > EnclaveImageLimits.MaxManifestBytes)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.TooLarge, $"Enclave manifest is {manifestLength} bytes; the limit is {EnclaveImageLimits.MaxManifestBytes}.");
        }

        if (fileCount is 0 or > EnclaveImageLimits.MaxFiles)
        {
            throw new EnclaveImageException(
                fileCount == 0 ? EnclaveImageFailureCode.InvalidManifest : EnclaveImageFailureCode.TooLarge,
                $"Enclave image declares {fileCount} files; expected 1..{EnclaveImageLimits.MaxFiles}.");
        }

        var manifestBytes = reader.Take(manifestLength, "the manifest");
        var manifest = ManifestEncoding.Decode(manifestBytes);

        int tableStart = reader.Position;
        var entries = new (string Path, long Length, int HashOffset)[fileCount];
        ReadOnlySpan<byte> previous = default;
        long contentTotal = 0;
        for (int i = 0; i < fileCount; i++)
        {
            ushort pathLength = reader.ReadUInt16("a file path length");
            if (pathLength is 0 or > EnclaveImageLimits.MaxPathBytes)
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.InvalidPath, $"File {i} has a {pathLength}-byte path; expected 1..{EnclaveImageLimits.MaxPathBytes}.");
            }

            var pathBytes = reader.Take(pathLength, "a file path");
            string path = ImagePaths.Decode(pathBytes)
                ?? throw new EnclaveImageException(EnclaveImageFailureCode.InvalidPath, $"File {i} has a path that is not valid UTF-8.");
            if (ImagePaths.Check(path) is { } pathError)
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.InvalidPath, $"File path '{Printable(path)}' is unsafe: {pathError}.");
            }

            int order = pathBytes.SequenceCompareTo(previous);
            if (i > 0 && order <= 0)
            {
                throw new EnclaveImageException(
                    EnclaveImageFailureCode.DuplicatePath,
                    order == 0 ? $"File path '{path}' appears twice." : $"File table is not sorted by ordinal path at '{path}'.");
            }

            previous = pathBytes;
            ulong length = reader.ReadUInt64("a file length");
            if (length > (ulong)(image.Length - contentTotal))
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.Truncated, $"File '{path}' declares {length} bytes, more than the image holds.");
            }

            contentTotal += (long)length;
            entries[i] = (path, (long)length, reader.Position);
            reader.Take(ImageFormat.FileHashSize, "a file hash");
        }

        var table = image.AsSpan(tableStart, reader.Position - tableStart);
        var files = new EnclaveImageFile[fileCount];
        Span<byte> actual = stackalloc byte[ImageFormat.FileHashSize];
        for (int i = 0; i < fileCount; i++)
        {
            int offset = reader.Position;
            var content = reader.Take(entries[i].Length, $"the content of '{entries[i].Path}'");
            SHA256.HashData(content, actual);
            if (!CryptographicOperations.FixedTimeEquals(actual, image.AsSpan(entries[i].HashOffset, ImageFormat.FileHashSize)))
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.MeasurementMismatch, $"Content of '{entries[i].Path}' does not match its recorded SHA-256.");
            }

            files[i] = new EnclaveImageFile(entries[i].Path, new ReadOnlyMemory<byte>(image, offset, (int)entries[i].Length));
        }

        ushort algorithm = reader.ReadUInt16("the signature algorithm");
        if (algorithm != ImageFormat.SignatureAlgorithmEcdsaP384Sha384)
        {
            throw new EnclaveImageException(
                EnclaveImageFailureCode.UnsupportedSignatureAlgorithm, $"Signature algorithm {algorithm} is not supported; expected {ImageFormat.SignatureAlgorithmEcdsaP384Sha384} (ECDSA P-384/SHA-384).");
        }

        ushort keyLength = reader.ReadUInt16("the public key length");
        if (keyLength > EnclaveImageLimits.MaxPublicKeyBytes)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.InvalidPublicKey, $"Signer public key is {keyLength} bytes; the limit is {EnclaveImageLimits.MaxPublicKeyBytes}.");
        }

        var publicKey = reader.Take(keyLength, "the public key").ToArray();
        ushort signatureLength = reader.ReadUInt16("the signature length");
        var signature = reader.Take(signatureLength, "the signature");
        if (reader.Remaining != 0)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.TrailingData, $"{reader.Remaining} bytes follow the signature block.");
        }

        if (!files.Any(f => f.Path == manifest.EntryAssembly))
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.InvalidManifest, $"Entry assembly '{manifest.EntryAssembly}' is not among the image's files.");
        }

        var measurement = ImageFormat.ComputeMeasurement(manifestBytes, (int)fileCount, table);
        var digest = ImageFormat.ComputeSigningDigest(measurement, manifest);
        using (var key = SignerKey.ImportPublicKey(publicKey))
        {
            if (!SignerKey.Verify(key, digest, signature))
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.SignatureInvalid, "Enclave image signature does not verify with the embedded signer key.");
            }
        }

        var identity = new EnclaveIdentity(measurement, ImageFormat.ComputeSigner(publicKey), manifest.ProductId, manifest.SecurityVersion, manifest.Debug);
        return new EnclaveImage(manifest, identity, files, publicKey);
    }

    private static EnclaveImageException TooLarge(long length) =>
        new(EnclaveImageFailureCode.TooLarge, $"Enclave image is {length} bytes; the limit is {EnclaveImageLimits.MaxImageBytes}.");

    private static string Printable(string path) => new(path.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
