using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// Opened keys by SHA-256 of (binding ‖ blob): a blob is authenticated once, later calls with the same blob and the
/// same claimed attributes reuse the opened key. Keyed on the attributes too, so a host that relabels a cached blob
/// still meets the authentication check. Bounded: at <see cref="Capacity"/> entries the cache starts over.
/// </summary>
internal sealed class KeyCache
{
    public const int Capacity = 4096;
    private readonly ConcurrentDictionary<UInt128x2, LoadedKey> _keys = new();

    /// <summary>The cached key for this binding and blob; otherwise false and the id to <see cref="Add"/> it under.</summary>
    public bool TryGet(ReadOnlySpan<byte> binding, ReadOnlySpan<byte> blob, out UInt128x2 id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LoadedKey? key)
    {
        // One-shot hashing over one buffer: on the hot path (every key use) an incremental hash object costs more
        // than the hash of a ~200-byte input.
        int length = binding.Length + blob.Length;
        byte[]? rented = length > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> input = rented is null ? stackalloc byte[512] : rented;
        binding.CopyTo(input);
        blob.CopyTo(input[binding.Length..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input[..length], hash);
        if (rented is not null)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }

        id = new UInt128x2(hash);
        return _keys.TryGetValue(id, out key);
    }

    /// <summary>Caches an opened key under the id <see cref="TryGet"/> answered.</summary>
    public void Add(UInt128x2 id, LoadedKey key)
    {
        if (_keys.Count >= Capacity)
        {
            _keys.Clear();
        }

        _keys[id] = key;
    }

    /// <summary>A 256-bit hash as a dictionary key.</summary>
    internal readonly record struct UInt128x2(UInt128 High, UInt128 Low)
    {
        public UInt128x2(ReadOnlySpan<byte> hash)
            : this(System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash), System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]))
        {
        }
    }
}
