using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace SecGear.Attestation.ArmCca;

/// <summary>
/// Keeps imported EC public keys by their encoding, because importing validates the point (a scalar multiplication
/// that costs as much as a signature verification). A key is only cached after it imported successfully. Callers
/// verify through <see cref="Verify"/>, which serialises use of one key instance. Bounded; cleared when full.
/// </summary>
internal sealed class ImportedKeyCache
{
    private const int Capacity = 256;
    private readonly ConcurrentDictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="verify"/> with the key for <paramref name="id"/>, importing it with <paramref name="import"/>
    /// on first use. Exceptions from <paramref name="import"/> propagate and nothing is cached.
    /// </summary>
    public T Verify<T>(string id, Func<ECDsa> import, Func<ECDsa, T> verify)
    {
        if (!_keys.TryGetValue(id, out var key))
        {
            if (_keys.Count >= Capacity)
            {
                _keys.Clear();
            }

            var imported = import();
            key = _keys.GetOrAdd(id, imported);
            if (!ReferenceEquals(key, imported))
            {
                imported.Dispose();
            }
        }

        // ECDsa instances are not documented as thread-safe; one verification at a time per cached key.
        lock (key)
        {
            return verify(key);
        }
    }
}
