using System.Net.Sockets;
using SecGear;
using SecureChannelSample;

namespace SecureChannel.Host;

/// <summary>
/// Relays raw TLS bytes between TCP clients and TLS sessions that end inside the enclave (ECALLs <c>tls_open</c>,
/// <c>tls_process</c>, <c>tls_close</c>). The host sees TLS records only.
/// </summary>
internal sealed class TlsRelay(SecureChannelProxy enclave, RelayLog log)
{
    private const int ReceiveChunk = 16 * 1024;
    private const int SendCapacity = 64 * 1024;

    public async Task ServeAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(Task.Run(() => RelayAsync(client, cancellationToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is the normal way to stop serving.
        }

        await Task.WhenAll(connections);
    }

    private async Task RelayAsync(TcpClient client, CancellationToken cancellationToken)
    {
        try
        {
            await RelayConnectionAsync(client, cancellationToken);
        }
        catch (SecGearException ex)
        {
            // The enclave call failed (e.g. the enclave is gone): this connection ends, the host reports why.
            Console.WriteLine($"relay:        TLS connection dropped: {ex.Message}");
        }
    }

    private async Task RelayConnectionAsync(TcpClient client, CancellationToken cancellationToken)
    {
        using (client)
        {
            int session = enclave.TlsOpen();
            if (session < 0)
            {
                Console.WriteLine("relay:        refused a TLS connection: every enclave session is in use");
                return;
            }

            NetworkStream stream = client.GetStream();
            byte[] received = new byte[ReceiveChunk];
            byte[] sent = new byte[SendCapacity];
            try
            {
                bool done = false;
                while (!done)
                {
                    int read = await stream.ReadAsync(received, cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    log.Bytes("tls client -> enclave", received.AsSpan(0, read));
                    done = await ForwardAsync(session, received.AsMemory(0, read), sent, stream, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                Console.WriteLine($"relay:        TLS connection ended: {ex.Message}");
            }
            finally
            {
                enclave.TlsClose(session);
            }
        }
    }

    // One ECALL with the received bytes, then more with none while the enclave's output fills the buffer.
    private async Task<bool> ForwardAsync(int session, ReadOnlyMemory<byte> received, byte[] sent, NetworkStream stream, CancellationToken cancellationToken)
    {
        int count = enclave.TlsProcess(session, received.Span, sent, out int done);
        while (count > 0)
        {
            log.Bytes("enclave -> tls client", sent.AsSpan(0, count));
            await stream.WriteAsync(sent.AsMemory(0, count), cancellationToken);
            count = count == sent.Length ? enclave.TlsProcess(session, [], sent, out done) : 0;
        }

        return count < 0 || done != 0;
    }
}
