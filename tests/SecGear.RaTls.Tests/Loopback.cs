using System.Net;
using System.Net.Sockets;

namespace SecGear.RaTls.Tests;

/// <summary>Connected TCP stream pairs on 127.0.0.1, and a byte relay between two streams that records what it forwards.</summary>
internal static class Loopback
{
    public static async Task<(NetworkStream Client, NetworkStream Server)> ConnectAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        var accept = listener.AcceptTcpClientAsync(cancellationToken).AsTask();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint, cancellationToken);
        var server = await accept;
        return (client.GetStream(), server.GetStream());
    }

    /// <summary>Copies bytes from <paramref name="source"/> to <paramref name="destination"/> until end of stream, appending each chunk to <paramref name="seen"/>.</summary>
    public static async Task PumpAsync(Stream source, Stream destination, MemoryStream seen, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                lock (seen)
                {
                    seen.Write(buffer, 0, read);
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (IOException)
        {
            // A peer closed its socket mid-copy: the relay ends, as a host relay would.
        }
        finally
        {
            destination.Dispose();
        }
    }
}
