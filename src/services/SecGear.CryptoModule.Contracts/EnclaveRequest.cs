using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SecGear.CryptoModule;

/// <summary>
/// One request from the management service to the enclave, in a fixed binary layout (all integers little-endian):
/// <c>format(1)=1 op(1) spec(1) usage(1) scheme(1) flags(1) version(4) tenant(2+n) keyId(2+n) blob(4+n) data(4+n) iv(4+n)
/// aad(4+n) extra(4+n)</c>; nothing may follow. Parsing never copies: the spans point into the buffer given to
/// <see cref="TryParse"/>, which the enclave has already copied out of untrusted memory.
/// </summary>
public readonly ref struct EnclaveRequest
{
    /// <summary>The layout version written first.</summary>
    public const byte Format = 1;

    /// <summary>Longest tenant or key id, in UTF-8 bytes.</summary>
    public const int MaxIdLength = 128;

    private const int FixedLength = 1 + 1 + 1 + 1 + 1 + 1 + 4 + 2 + 2 + (5 * 4);

    /// <summary>The operation.</summary>
    public EnclaveOp Op { get; init; }

    /// <summary>The key's spec (bound into its blob).</summary>
    public KeySpec Spec { get; init; }

    /// <summary>The key's usage (bound into its blob).</summary>
    public KeyUsage Usage { get; init; }

    /// <summary>The operation's algorithm.</summary>
    public Scheme Scheme { get; init; }

    /// <summary>Operation flags (<see cref="EnclaveRequestFlags"/>).</summary>
    public EnclaveRequestFlags Flags { get; init; }

    /// <summary>The key version (bound into its blob).</summary>
    public uint Version { get; init; }

    /// <summary>The tenant owning the key (UTF-8, bound into its blob).</summary>
    public ReadOnlySpan<byte> Tenant { get; init; }

    /// <summary>The key id within the tenant (UTF-8, bound into its blob).</summary>
    public ReadOnlySpan<byte> KeyId { get; init; }

    /// <summary>The wrapped key blob the enclave produced at generation.</summary>
    public ReadOnlySpan<byte> Blob { get; init; }

    /// <summary>The message, digest, plaintext or ciphertext.</summary>
    public ReadOnlySpan<byte> Data { get; init; }

    /// <summary>The IV (or the SM2 user id for <see cref="EnclaveOp.Verify"/>).</summary>
    public ReadOnlySpan<byte> Iv { get; init; }

    /// <summary>Additional authenticated data (GCM).</summary>
    public ReadOnlySpan<byte> Aad { get; init; }

    /// <summary>Operation-specific: a signature or MAC to verify, the SM2 user id to sign with, a length.</summary>
    public ReadOnlySpan<byte> Extra { get; init; }

    /// <summary>The number of bytes <see cref="WriteTo"/> writes.</summary>
    public int Length => FixedLength + Tenant.Length + KeyId.Length + Blob.Length + Data.Length + Iv.Length + Aad.Length + Extra.Length;

    /// <summary>Writes the request into <paramref name="destination"/> (at least <see cref="Length"/> bytes); returns the length.</summary>
    /// <exception cref="ArgumentException">An id is longer than <see cref="MaxIdLength"/> or the destination is too small.</exception>
    public int WriteTo(Span<byte> destination)
    {
        if (Tenant.Length > MaxIdLength || KeyId.Length > MaxIdLength)
        {
            throw new ArgumentException($"Tenant and key ids are at most {MaxIdLength} UTF-8 bytes.");
        }

        int length = Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} bytes; the request needs {length}.", nameof(destination));
        }

        destination[0] = Format;
        destination[1] = (byte)Op;
        destination[2] = (byte)Spec;
        destination[3] = (byte)Usage;
        destination[4] = (byte)Scheme;
        destination[5] = (byte)Flags;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[6..], Version);
        int offset = 10;
        offset = LengthPrefixed.Put16(destination, offset, Tenant);
        offset = LengthPrefixed.Put16(destination, offset, KeyId);
        offset = LengthPrefixed.Put32(destination, offset, Blob);
        offset = LengthPrefixed.Put32(destination, offset, Data);
        offset = LengthPrefixed.Put32(destination, offset, Iv);
        offset = LengthPrefixed.Put32(destination, offset, Aad);
        offset = LengthPrefixed.Put32(destination, offset, Extra);
        return offset;
    }

    /// <summary>Writes the request into a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Parses a request; every length is checked against what remains, and nothing may follow.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out EnclaveRequest request, [NotNullWhen(false)] out string? error)
    {
        request = default;
        if (source.Length < FixedLength)
        {
            error = $"a request of {source.Length} bytes (at least {FixedLength})";
            return false;
        }

        if (source[0] != Format)
        {
            error = $"request format {source[0]} (expected {Format})";
            return false;
        }

        int offset = 10;
        if (!LengthPrefixed.TryTake16(source, ref offset, out var tenant) || !LengthPrefixed.TryTake16(source, ref offset, out var keyId)
            || !LengthPrefixed.TryTake32(source, ref offset, out var blob) || !LengthPrefixed.TryTake32(source, ref offset, out var data)
            || !LengthPrefixed.TryTake32(source, ref offset, out var iv) || !LengthPrefixed.TryTake32(source, ref offset, out var aad)
            || !LengthPrefixed.TryTake32(source, ref offset, out var extra))
        {
            error = "a field length runs past the end of the request";
            return false;
        }

        if (offset != source.Length)
        {
            error = $"{source.Length - offset} bytes after the last field";
            return false;
        }

        if (tenant.Length > MaxIdLength || keyId.Length > MaxIdLength)
        {
            error = $"an id longer than {MaxIdLength} bytes";
            return false;
        }

        request = new EnclaveRequest
        {
            Op = (EnclaveOp)source[1],
            Spec = (KeySpec)source[2],
            Usage = (KeyUsage)source[3],
            Scheme = (Scheme)source[4],
            Flags = (EnclaveRequestFlags)source[5],
            Version = BinaryPrimitives.ReadUInt32LittleEndian(source[6..]),
            Tenant = tenant,
            KeyId = keyId,
            Blob = blob,
            Data = data,
            Iv = iv,
            Aad = aad,
            Extra = extra,
        };
        error = null;
        return true;
    }

    /// <summary>
    /// The additional data that binds a key blob to its owner and attributes: <c>"secgear-cm-key/1" 0 tenant 0 keyId 0
    /// version(4) spec usage</c>. A host that swaps blobs between keys or tenants, or relabels usage, makes it fail to open.
    /// </summary>
    public byte[] KeyBinding()
    {
        ReadOnlySpan<byte> label = "secgear-cm-key/1"u8;
        var binding = new byte[label.Length + 1 + Tenant.Length + 1 + KeyId.Length + 1 + 4 + 2];
        var span = binding.AsSpan();
        label.CopyTo(span);
        int offset = label.Length + 1;
        Tenant.CopyTo(span[offset..]);
        offset += Tenant.Length + 1;
        KeyId.CopyTo(span[offset..]);
        offset += KeyId.Length + 1;
        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Version);
        span[offset + 4] = (byte)Spec;
        span[offset + 5] = (byte)Usage;
        return binding;
    }

    /// <summary>The tenant as text (for messages).</summary>
    public string TenantText => Encoding.UTF8.GetString(Tenant);
}
