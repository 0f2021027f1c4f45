using System.IO.Pipelines;
using System.Net.Sockets;

namespace SecGear.SecureChannel;

/// <summary>A transport over a <see cref="Stream"/>, e.g. a TCP <see cref="NetworkStream"/>.</summary>
public sealed class StreamTransport : SecureChannelTransport
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;

    /// <summary>Creates a transport over <paramref name="stream"/>, which it disposes unless <paramref name="leaveOpen"/>.</summary>
    public StreamTransport(Stream stream, bool leaveOpen = false)
        : base(PipeReader.Create(stream ?? throw new ArgumentNullException(nameof(stream)), new StreamPipeReaderOptions(leaveOpen: true)))
    {
        if (!stream.CanRead || !stream.CanWrite)
        {
            throw new ArgumentException("the stream must be readable and writable", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Connects to a TCP endpoint (e.g. a host running <see cref="SecureChannelRelay.ServeTcpAsync"/>); the transport owns the socket.</summary>
    /// <exception cref="SocketException">The connection failed.</exception>
    public static async Task<StreamTransport> ConnectTcpAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new StreamTransport(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The underlying stream itself (nothing is buffered in front of it until a frame is read).</summary>
    public override Stream AsStream() => _stream;

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        CompleteInput();
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
