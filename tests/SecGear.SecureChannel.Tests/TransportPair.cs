using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace SecGear.SecureChannel.Tests;

/// <summary>Two connected transports of one kind: <see cref="Near"/> is the one under test, <see cref="Far"/> its peer.</summary>
internal sealed class TransportPair : IAsyncDisposable
{
    public const string Stream = "stream over TCP";
    public const string Pipes = "pipe pair";
    public const string Callback = "callback";

    private readonly Func<ValueTask> _closeFar;

    private TransportPair(SecureChannelTransport near, SecureChannelTransport far, Func<ValueTask> closeFar)
    {
        Near = near;
        Far = far;
        _closeFar = closeFar;
    }

    public static TheoryData<string> Kinds => [Stream, Pipes, Callback];

    public SecureChannelTransport Near { get; }

    public SecureChannelTransport Far { get; }

    public static async Task<TransportPair> CreateAsync(string kind, long callbackBuffer = CallbackTransport.DefaultMaxBufferedBytes)
    {
        switch (kind)
        {
            case Stream:
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var accept = listener.AcceptTcpClientAsync();
                var far = await StreamTransport.ConnectTcpAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
                var near = new StreamTransport((await accept).GetStream());
                return new TransportPair(near, far, far.DisposeAsync);
            }

            case Pipes:
            {
                var toNear = new Pipe();
                var toFar = new Pipe();
                var far = new PipeTransport(toFar.Reader, toNear.Writer);
                return new TransportPair(new PipeTransport(toNear.Reader, toFar.Writer), far, far.DisposeAsync);
            }

            case Callback:
            {
                CallbackTransport? near = null, far = null;
                near = new CallbackTransport((bytes, ct) => far!.DeliverAsync(bytes.ToArray(), ct), callbackBuffer);
                far = new CallbackTransport((bytes, ct) => near.DeliverAsync(bytes.ToArray(), ct), callbackBuffer);
                return new TransportPair(near, far, () =>
                {
                    near.CompleteReceiving();
                    return far.DisposeAsync();
                });
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown transport kind");
        }
    }

    /// <summary>The peer ends the connection (as a socket close, a completed pipe, or the owner's end-of-input call).</summary>
    public ValueTask CloseFarAsync() => _closeFar();

    public async ValueTask DisposeAsync()
    {
        await Near.DisposeAsync();
        await Far.DisposeAsync();
    }
}
