using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace SecGear.SecureChannel;

/// <summary>
/// The untrusted host's part: forwards whole frames between a client transport and the enclave without looking inside
/// them. It only reads the 5-byte frame header to know where a frame ends, and enforces the frame size limit. It never
/// holds a key, so it never sees plaintext.
/// </summary>
public sealed class SecureChannelRelay
{
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<IReadOnlyList<byte[]>>> _enclave;
    private readonly int _maxFrameLength;

    /// <summary>Creates a relay.</summary>
    /// <param name="enclave">Delivers one frame into the enclave (e.g. an ECALL into <see cref="SecureChannelServer.Process"/>) and returns the frames to send back.</param>
    /// <param name="maxFrameLength">The largest frame body forwarded in either direction.</param>
    public SecureChannelRelay(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask<IReadOnlyList<byte[]>>> enclave, int maxFrameLength = 256 * 1024)
    {
        ArgumentNullException.ThrowIfNull(enclave);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFrameLength, 1024);
        _enclave = enclave;
        _maxFrameLength = maxFrameLength;
    }

    /// <summary>
    /// Relays until the client ends the stream, a frame is malformed or too large, or the enclave rejects a frame
    /// (its <see cref="SecureChannelException"/> propagates, so the caller can log the reason and drop the connection;
    /// when it carries an <see cref="SecureChannelException.AlertFrame"/>, that alert is sent to the client first).
    /// An enclave behind a real ECALL boundary, where exceptions do not cross, returns the alert as an ordinary reply
    /// frame instead. The stream is left open.
    /// </summary>
    public async Task RunAsync(Stream transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        await using var streamTransport = new StreamTransport(transport, leaveOpen: true);
        await RunAsync(streamTransport, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Relays frames read from <paramref name="input"/>, sending the enclave's replies to <paramref name="output"/>; both are left for the caller to complete.</summary>
    public async Task RunAsync(PipeReader input, PipeWriter output, CancellationToken cancellationToken = default)
    {
        await using var pipeTransport = new PipeTransport(input, output, leaveOpen: true);
        await RunAsync(pipeTransport, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Relays over any transport (stream, pipes, or a <see cref="CallbackTransport"/>) until the peer ends it between
    /// frames, a frame is malformed or too large, or the enclave rejects a frame (its exception propagates). The
    /// transport is left for the caller to dispose.
    /// </summary>
    public async Task RunAsync(SecureChannelTransport transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        while (await transport.ReadFrameAsync(_maxFrameLength, cancellationToken).ConfigureAwait(false) is { } frame)
        {
            IReadOnlyList<byte[]> replies;
            try
            {
                replies = await _enclave(frame, cancellationToken).ConfigureAwait(false);
            }
            catch (SecureChannelException ex) when (!ex.AlertFrame.IsEmpty)
            {
                // The server (running in this process, e.g. the InProcess engine) refused the frame: tell the client why
                // before the connection ends. The alert is the server's own frame; the relay only forwards it.
                await SendAlertAsync(transport, ex.AlertFrame, cancellationToken).ConfigureAwait(false);
                throw;
            }

            foreach (var reply in replies)
            {
                if (reply is null || reply.Length < Wire.FrameHeaderLength || reply.Length - Wire.FrameHeaderLength > _maxFrameLength)
                {
                    throw Wire.Fail(SecureChannelFailureCode.FrameTooLarge, $"the enclave returned a {reply?.Length ?? 0}-byte frame; a frame is {Wire.FrameHeaderLength} to {Wire.FrameHeaderLength + _maxFrameLength} bytes");
                }

                await transport.SendAsync(reply, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Best effort: the connection is about to end anyway, so a transport that fails here changes nothing.</summary>
    private static async Task SendAlertAsync(SecureChannelTransport transport, ReadOnlyMemory<byte> alert, CancellationToken cancellationToken)
    {
        try
        {
            await transport.SendAsync(alert, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is already gone; the original failure is what the caller needs to see.
        }
    }

    /// <summary>
    /// Accepts TCP connections on <paramref name="listener"/> (already started) and relays each one until cancelled. A
    /// connection whose relay fails (a <see cref="SecGearException"/> from the enclave or the framing, or an I/O error) is
    /// closed; the failure is reported to <paramref name="onConnectionError"/>.
    /// </summary>
    public async Task ServeTcpAsync(TcpListener listener, Action<EndPoint?, Exception>? onConnectionError = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(RelayConnectionAsync(client, onConnectionError, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is the normal way to stop serving.
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private async Task RelayConnectionAsync(TcpClient client, Action<EndPoint?, Exception>? onConnectionError, CancellationToken cancellationToken)
    {
        using (client)
        {
            var remote = client.Client.RemoteEndPoint;
            try
            {
                await RunAsync(client.GetStream(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SecGearException or IOException or SocketException or OperationCanceledException)
            {
                onConnectionError?.Invoke(remote, ex);
            }
        }
    }
}
