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

    public LoadedKey GetOrOpen(ReadOnlySpan<byte> binding, ReadOnlySpan<byte> blob, Func<LoadedKey> open)
    {
        Span<byte> hash = stackalloc byte[32];
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            sha.AppendData(binding);
            sha.AppendData(blob);
            sha.GetHashAndReset(hash);
        }

        var id = new UInt128x2(hash);
        if (_keys.TryGetValue(id, out var key))
        {
            return key;
        }

        key = open();
        if (_keys.Count >= Capacity)
        {
            _keys.Clear();
        }

        _keys[id] = key;
        return key;
    }

    /// <summary>A 256-bit hash as a dictionary key.</summary>
    private readonly record struct UInt128x2(UInt128 High, UInt128 Low)
    {
        public UInt128x2(ReadOnlySpan<byte> hash)
            : this(System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash), System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash[16..]))
        {
        }
    }
}
