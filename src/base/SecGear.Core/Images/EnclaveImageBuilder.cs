using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.Images;

/// <summary>
/// Builds and signs an enclave image from a manifest and files. One-step: <see cref="Sign"/> with a P-384 key.
/// Two-step (key in an HSM): <see cref="ComputeSigningDigest"/>, sign the 48-byte digest elsewhere, then
/// <see cref="ImportSignature"/>. Both verify the signature before returning the image bytes.
/// </summary>
public sealed class EnclaveImageBuilder
{
    private readonly SortedDictionary<byte[], EnclaveImageFile> _files = new(Utf8PathComparer.Instance);
    private long _contentBytes;

    /// <summary>Starts an image for <paramref name="manifest"/>.</summary>
    /// <exception cref="ArgumentException">A manifest value is out of range.</exception>
    public EnclaveImageBuilder(EnclaveManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (ManifestEncoding.Check(manifest) is { } error)
        {
            throw new ArgumentException($"Invalid enclave manifest: {error}.", nameof(manifest));
        }

        Manifest = manifest;
    }

    /// <summary>The manifest the image will carry.</summary>
    public EnclaveManifest Manifest { get; }

    /// <summary>The files added so far, in image (ordinal UTF-8 path) order.</summary>
    public IReadOnlyList<EnclaveImageFile> Files => [.. _files.Values];

    /// <summary>Adds a file under a relative '/'-separated path.</summary>
    /// <exception cref="ArgumentException">The path is unsafe or already present, or a limit would be exceeded.</exception>
    public EnclaveImageBuilder AddFile(string path, ReadOnlyMemory<byte> content)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (ImagePaths.Check(path) is { } error)
        {
            throw new ArgumentException($"Unsafe image path '{path}': {error}.", nameof(path));
        }

        if (_files.Count >= EnclaveImageLimits.MaxFiles)
        {
            throw new ArgumentException($"An image holds at most {EnclaveImageLimits.MaxFiles} files.", nameof(path));
        }

        if (_contentBytes + content.Length > EnclaveImageLimits.MaxImageBytes)
        {
            throw new ArgumentException($"The files would exceed the {EnclaveImageLimits.MaxImageBytes}-byte image limit.", nameof(content));
        }

        if (!_files.TryAdd(ImagePaths.Encode(path), new EnclaveImageFile(path, content)))
        {
            throw new ArgumentException($"The image already has a file '{path}'.", nameof(path));
        }

        _contentBytes += content.Length;
        return this;
    }

    /// <summary>Adds every file under <paramref name="directory"/> (recursively), keyed by its relative path.</summary>
    /// <exception cref="ArgumentException">A relative path is unsafe or a limit would be exceeded.</exception>
    public EnclaveImageBuilder AddDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            AddFile(relative, File.ReadAllBytes(file));
        }

        return this;
    }

    /// <summary>The measurement (SHA-256) the image will have.</summary>
    /// <exception cref="InvalidOperationException">The entry assembly has not been added.</exception>
    public byte[] ComputeMeasurement() => Prepare().Measurement;

    /// <summary>The 48-byte SHA-384 digest of the sigstruct, which the signer's ECDSA P-384 key signs.</summary>
    /// <exception cref="InvalidOperationException">The entry assembly has not been added.</exception>
    public byte[] ComputeSigningDigest()
    {
        var prepared = Prepare();
        return ImageFormat.ComputeSigningDigest(prepared.Measurement, Manifest);
    }

    /// <summary>One-step signing: signs with an ECDSA P-384 private key and returns the image bytes.</summary>
    /// <exception cref="ArgumentException">The key is not a P-384 key.</exception>
    /// <exception cref="InvalidOperationException">The entry assembly has not been added.</exception>
    public byte[] Sign(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySize != 384)
        {
            throw new ArgumentException($"The signing key is {key.KeySize}-bit; an ECDSA P-384 key is required.", nameof(key));
        }

        var prepared = Prepare();
        var digest = ImageFormat.ComputeSigningDigest(prepared.Measurement, Manifest);
        var signature = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Write(prepared, key.ExportSubjectPublicKeyInfo(), signature);
    }

    /// <summary>
    /// Two-step signing: attaches a signature made elsewhere over <see cref="ComputeSigningDigest"/> and returns
    /// the image bytes. The signature may be DER (as <c>openssl pkeyutl</c> writes) or IEEE P1363 (r||s, 96 bytes).
    /// </summary>
    /// <exception cref="EnclaveImageException">The key is not a canonical P-384 SubjectPublicKeyInfo, or the signature does not verify.</exception>
    /// <exception cref="InvalidOperationException">The entry assembly has not been added.</exception>
    public byte[] ImportSignature(ReadOnlySpan<byte> subjectPublicKeyInfo, ReadOnlySpan<byte> signature)
    {
        var prepared = Prepare();
        var spki = subjectPublicKeyInfo.ToArray();
        using var key = SignerKey.ImportPublicKey(spki);
        byte[] p1363 = signature.Length == ImageFormat.EcdsaP384SignatureSize ? signature.ToArray() : ConvertDer(signature);
        return Write(prepared, spki, p1363);
    }

    private static byte[] ConvertDer(ReadOnlySpan<byte> der)
    {
        // Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279); the image stores r and s as fixed 48-byte fields.
        try
        {
            var reader = new System.Formats.Asn1.AsnReader(der.ToArray(), System.Formats.Asn1.AsnEncodingRules.DER);
            var sequence = reader.ReadSequence();
            var r = sequence.ReadIntegerBytes().Span;
            var s = sequence.ReadIntegerBytes().Span;
            sequence.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            var result = new byte[ImageFormat.EcdsaP384SignatureSize];
            CopyUnsigned(r, result.AsSpan(0, 48));
            CopyUnsigned(s, result.AsSpan(48, 48));
            return result;
        }
        catch (System.Formats.Asn1.AsnContentException ex)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.SignatureInvalid, "The signature is neither a 96-byte P1363 value nor a DER ECDSA signature.", ex);
        }
    }

    private static void CopyUnsigned(ReadOnlySpan<byte> integer, Span<byte> destination)
    {
        while (integer.Length > 0 && integer[0] == 0)
        {
            integer = integer[1..];
        }

        if (integer.Length > destination.Length)
        {
            throw new EnclaveImageException(EnclaveImageFailureCode.SignatureInvalid, "A DER ECDSA signature component is longer than 48 bytes.");
        }

        integer.CopyTo(destination[(destination.Length - integer.Length)..]);
    }

    private Prepared Prepare()
    {
        var entry = ImagePaths.Encode(Manifest.EntryAssembly);
        if (!_files.ContainsKey(entry))
        {
            throw new InvalidOperationException($"The entry assembly '{Manifest.EntryAssembly}' has not been added to the image.");
        }

        var manifest = ManifestEncoding.Encode(Manifest);
        int tableSize = _files.Keys.Sum(k => FileTable.EntrySize(k.Length));
        var table = new byte[tableSize];
        var span = table.AsSpan();
        Span<byte> hash = stackalloc byte[ImageFormat.FileHashSize];
        foreach (var (path, file) in _files)
        {
            SHA256.HashData(file.Content.Span, hash);
            FileTable.WriteEntry(span, path, file.Content.Length, hash);
            span = span[FileTable.EntrySize(path.Length)..];
        }

        return new Prepared(manifest, table, ImageFormat.ComputeMeasurement(manifest, _files.Count, table));
    }

    private byte[] Write(Prepared prepared, byte[] subjectPublicKeyInfo, byte[] signature)
    {
        using (var key = SignerKey.ImportPublicKey(subjectPublicKeyInfo))
        {
            if (!SignerKey.Verify(key, ImageFormat.ComputeSigningDigest(prepared.Measurement, Manifest), signature))
            {
                throw new EnclaveImageException(EnclaveImageFailureCode.SignatureInvalid, "The signature does not verify over this image's signing digest with the given public key.");
            }
        }

        long total = ImageFormat.HeaderSize + prepared.Manifest.Length + prepared.Table.Length + _contentBytes
            + 6 + subjectPublicKeyInfo.Length + signature.Length;
        if (total > EnclaveImageLimits.MaxImageBytes)
        {
            throw new InvalidOperationException($"The image would be {total} bytes; the limit is {EnclaveImageLimits.MaxImageBytes}.");
        }

        var image = new byte[total];
        var span = image.AsSpan();
        ImageFormat.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], ImageFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)prepared.Manifest.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)_files.Count);
        span = span[ImageFormat.HeaderSize..];
        prepared.Manifest.CopyTo(span);
        span = span[prepared.Manifest.Length..];
        prepared.Table.CopyTo(span);
        span = span[prepared.Table.Length..];
        foreach (var file in _files.Values)
        {
            file.Content.Span.CopyTo(span);
            span = span[file.Content.Length..];
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span, ImageFormat.SignatureAlgorithmEcdsaP384Sha384);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)subjectPublicKeyInfo.Length);
        subjectPublicKeyInfo.CopyTo(span[4..]);
        span = span[(4 + subjectPublicKeyInfo.Length)..];
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)signature.Length);
        signature.CopyTo(span[2..]);
        return image;
    }

    private sealed record Prepared(byte[] Manifest, byte[] Table, byte[] Measurement);

    private sealed class Utf8PathComparer : IComparer<byte[]>
    {
        public static readonly Utf8PathComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
