using System.Security.Cryptography;

namespace SecGear.EncryptedDb.Enclave;

/// <summary>The column keys one secure channel session delivered. They exist in enclave memory only, for this session.</summary>
internal sealed class EnclaveSession(byte[] sessionId) : IDisposable
{
    /// <summary>Most keys one session may hold.</summary>
    public const int MaxKeys = 256;

    private readonly Dictionary<string, ColumnKey> _keys = new(StringComparer.Ordinal);

    public byte[] SessionId { get; } = sessionId;

    /// <summary>When the session last delivered a message (keys die after the channel's idle timeout).</summary>
    public DateTimeOffset LastUsed { get; set; } = DateTimeOffset.UtcNow;

    public IReadOnlyDictionary<string, ColumnKey> Keys => _keys;

    /// <summary>Parses a key delivery (after its kind byte) and adds the keys; a name sent again replaces its key.</summary>
    public void AddKeys(ReadOnlySpan<byte> body)
    {
        var r = new BigEndianReader(body);
        int count = r.Count(EnclaveMessage.MaxKeys, "keys");
        var received = new List<(string Name, ColumnKey Key)>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = r.Text();
                received.Add((name, new ColumnKey(r.Raw(ColumnKey.KeyLength))));
            }

            r.End();
        }
        catch
        {
            received.ForEach(k => k.Key.Dispose());
            throw;
        }

        foreach ((string name, ColumnKey key) in received)
        {
            if (_keys.Remove(name, out ColumnKey? old))
            {
                old.Dispose();
            }

            if (_keys.Count >= MaxKeys)
            {
                key.Dispose();
                throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"a session holds at most {MaxKeys} keys");
            }

            _keys[name] = key;
        }
    }

    public bool Is(ReadOnlySpan<byte> sessionId) => CryptographicOperations.FixedTimeEquals(SessionId, sessionId);

    public void Dispose()
    {
        foreach (ColumnKey key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }
}
