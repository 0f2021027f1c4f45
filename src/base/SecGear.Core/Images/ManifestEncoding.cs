using System.Buffers.Binary;
using System.Text;

namespace SecGear.Images;

/// <summary>
/// Canonical manifest encoding: fields as (tag u16, length u16, value), every known tag exactly once, in
/// ascending tag order, nothing else (docs/image-format.md, "Manifest").
/// </summary>
internal static class ManifestEncoding
{
    private const ushort TagName = 1;
    private const ushort TagProductId = 2;
    private const ushort TagSecurityVersion = 3;
    private const ushort TagDebug = 4;
    private const ushort TagMaxThreads = 5;
    private const ushort TagHeapLimit = 6;
    private const ushort TagEntryAssembly = 7;
    private const ushort LastTag = TagEntryAssembly;

    /// <summary>Returns why the manifest's values are out of range, or null when they are acceptable.</summary>
    public static string? Check(EnclaveManifest manifest)
    {
        if (string.IsNullOrEmpty(manifest.Name))
        {
            return "the enclave name is empty";
        }

        if (manifest.Name.Any(char.IsControl) || !ImagePaths.IsValidUnicode(manifest.Name))
        {
            return "the enclave name contains a control character or invalid Unicode";
        }

        if (Encoding.UTF8.GetByteCount(manifest.Name) > EnclaveImageLimits.MaxNameBytes)
        {
            return $"the enclave name is longer than {EnclaveImageLimits.MaxNameBytes} UTF-8 bytes";
        }

        if (manifest.MaxThreads is < 1 or > EnclaveImageLimits.MaxThreads)
        {
            return $"MaxThreads is {manifest.MaxThreads}, expected 1..{EnclaveImageLimits.MaxThreads}";
        }

        if (manifest.HeapLimit is < 1 or > EnclaveImageLimits.MaxHeapLimit)
        {
            return $"HeapLimit is {manifest.HeapLimit}, expected 1..{EnclaveImageLimits.MaxHeapLimit}";
        }

        return ImagePaths.Check(manifest.EntryAssembly) is { } pathError ? $"EntryAssembly: {pathError}" : null;
    }

    /// <summary>Encodes a manifest whose values have passed <see cref="Check"/>.</summary>
    public static byte[] Encode(EnclaveManifest manifest)
    {
        var name = Encoding.UTF8.GetBytes(manifest.Name);
        var entry = ImagePaths.Encode(manifest.EntryAssembly);
        var buffer = new byte[(7 * 4) + name.Length + 2 + 2 + 1 + 4 + 8 + entry.Length];
        var span = buffer.AsSpan();
        Put(ref span, TagName, name);
        PutUInt16(ref span, TagProductId, manifest.ProductId);
        PutUInt16(ref span, TagSecurityVersion, manifest.SecurityVersion);
        Put(ref span, TagDebug, [manifest.Debug ? (byte)1 : (byte)0]);
        Span<byte> u32 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(u32, (uint)manifest.MaxThreads);
        Put(ref span, TagMaxThreads, u32);
        Span<byte> u64 = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(u64, (ulong)manifest.HeapLimit);
        Put(ref span, TagHeapLimit, u64);
        Put(ref span, TagEntryAssembly, entry);
        return buffer;
    }

    /// <summary>Decodes and validates a canonical manifest.</summary>
    /// <exception cref="EnclaveImageException">The encoding is not canonical or a value is out of range.</exception>
    public static EnclaveManifest Decode(ReadOnlySpan<byte> encoded)
    {
        string? name = null;
        string? entry = null;
        ushort productId = 0;
        ushort svn = 0;
        bool debug = false;
        uint maxThreads = 0;
        ulong heapLimit = 0;
        ushort expected = 1;

        while (!encoded.IsEmpty)
        {
            if (encoded.Length < 4)
            {
                throw Invalid("a field header is cut short");
            }

            ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(encoded);
            ushort length = BinaryPrimitives.ReadUInt16LittleEndian(encoded[2..]);
            if (tag is 0 or > LastTag)
            {
                throw Invalid($"unknown field tag {tag}");
            }

            if (tag != expected)
            {
                throw Invalid($"field tag {tag} where tag {expected} was expected (fields must appear once, in order)");
            }

            if (encoded.Length - 4 < length)
            {
                throw Invalid($"field {tag} declares {length} bytes but only {encoded.Length - 4} remain");
            }

            var value = encoded.Slice(4, length);
            encoded = encoded[(4 + length)..];
            expected++;
            switch (tag)
            {
                case TagName:
                    name = ImagePaths.Decode(value) ?? throw Invalid("the name is not valid UTF-8");
                    break;
                case TagProductId:
                    productId = BinaryPrimitives.ReadUInt16LittleEndian(Fixed(value, 2, tag));
                    break;
                case TagSecurityVersion:
                    svn = BinaryPrimitives.ReadUInt16LittleEndian(Fixed(value, 2, tag));
                    break;
                case TagDebug:
                    byte flag = Fixed(value, 1, tag)[0];
                    debug = flag switch
                    {
                        0 => false,
                        1 => true,
                        _ => throw Invalid($"the debug flag is {flag}, expected 0 or 1"),
                    };
                    break;
                case TagMaxThreads:
                    maxThreads = BinaryPrimitives.ReadUInt32LittleEndian(Fixed(value, 4, tag));
                    break;
                case TagHeapLimit:
                    heapLimit = BinaryPrimitives.ReadUInt64LittleEndian(Fixed(value, 8, tag));
                    break;
                default:
                    entry = ImagePaths.Decode(value) ?? throw Invalid("the entry assembly path is not valid UTF-8");
                    break;
            }
        }

        if (expected != LastTag + 1 || name is null || entry is null)
        {
            throw Invalid($"field {expected} is missing");
        }

        if (maxThreads > EnclaveImageLimits.MaxThreads || heapLimit > EnclaveImageLimits.MaxHeapLimit)
        {
            throw Invalid($"MaxThreads {maxThreads} or HeapLimit {heapLimit} is out of range");
        }

        var manifest = new EnclaveManifest
        {
            Name = name,
            ProductId = productId,
            SecurityVersion = svn,
            Debug = debug,
            MaxThreads = (int)maxThreads,
            HeapLimit = (long)heapLimit,
            EntryAssembly = entry,
        };
        return Check(manifest) is { } error ? throw Invalid(error) : manifest;
    }

    private static ReadOnlySpan<byte> Fixed(ReadOnlySpan<byte> value, int size, ushort tag) =>
        value.Length == size ? value : throw Invalid($"field {tag} is {value.Length} bytes, expected {size}");

    private static EnclaveImageException Invalid(string what) =>
        new(EnclaveImageFailureCode.InvalidManifest, $"Invalid enclave manifest: {what}.");

    private static void Put(ref Span<byte> span, ushort tag, scoped ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(span, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], checked((ushort)value.Length));
        value.CopyTo(span[4..]);
        span = span[(4 + value.Length)..];
    }

    private static void PutUInt16(ref Span<byte> span, ushort tag, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        Put(ref span, tag, bytes);
    }
}
