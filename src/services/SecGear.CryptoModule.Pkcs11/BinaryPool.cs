using System.Collections.Concurrent;
using System.Net.Sockets;
using SecGear.CryptoModule.Binary;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// Persistent, authenticated binary-transport connections to the module (<see cref="BinaryProtocol"/>), pooled per
/// tenant credential: a PKCS#11 call takes one, sends its operation as a batch of one, and returns it. This is the
/// hot path of C_Sign/C_Verify/C_Encrypt/C_Decrypt; it spends far less CPU per call than JSON over HTTP.
/// </summary>
internal sealed class BinaryPool(string host, int port) : IDisposable
{
    private const uint RequestId = 1;
    private readonly ConcurrentDictionary<string, ConcurrentBag<NetworkStream>> _idle = new(StringComparer.Ordinal);

    /// <summary>Runs one operation; refusals come back as results, transport failures as CKR_DEVICE_REMOVED.</summary>
    public BinaryResult Run(string credential, BinaryOperation operation)
    {
        var bag = _idle.GetOrAdd(credential, _ => []);
        var stream = bag.TryTake(out var reused) ? reused : Connect(credential);
        try
        {
            // One batch at a time per connection, so one request id serves (the module echoes it).
            stream.Write(BinaryProtocol.EncodeBatch(RequestId, [operation]));
            var result = Read(stream, RequestId);
            bag.Add(stream);
            return result;
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
        {
            stream.Dispose();
            throw new CkrException(Ck.CKR_DEVICE_REMOVED, $"the crypto module's binary transport at {host}:{port} failed: {ex.Message}");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private NetworkStream Connect(string credential)
    {
        // Connected on the calling thread, like the HTTP connections (see ModuleConnection).
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(host, port);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new CkrException(Ck.CKR_DEVICE_REMOVED, $"the crypto module's binary transport at {host}:{port} is unreachable: {ex.Message}");
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            stream.Write(BinaryProtocol.EncodeHello(credential));
            var hello = Read(stream, BinaryProtocol.ConnectionId);
            return hello.Ok ? stream : throw new CkrException(ModuleConnection.MapCode(hello.Code!), hello.Detail ?? hello.Code!);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
        {
            stream.Dispose();
            throw new CkrException(Ck.CKR_DEVICE_REMOVED, $"the crypto module's binary transport at {host}:{port} failed: {ex.Message}");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static BinaryResult Read(NetworkStream stream, uint id)
    {
        byte[] payload = BinaryProtocol.ReadFrame(stream) ?? throw new IOException("the module closed the connection");
        var results = new List<BinaryResult>(1);
        if (BinaryProtocol.TryDecodeResults(payload, id, 1, results, out string? error))
        {
            return results[0];
        }

        // The module refuses a frame it cannot read under the connection's id, then closes.
        results.Clear();
        return BinaryProtocol.TryDecodeResults(payload, BinaryProtocol.ConnectionId, 1, results, out _) && !results[0].Ok
            ? results[0]
            : throw new InvalidDataException($"the module's answer does not match the binary protocol: {error}");
    }

    public void Dispose()
    {
        foreach (var bag in _idle.Values)
        {
            while (bag.TryTake(out var stream))
            {
                stream.Dispose();
            }
        }
    }
}
