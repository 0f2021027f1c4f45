using System.Net.Security;

namespace SecGear.RaTls;

/// <summary>
/// The enclave side of a TLS connection whose raw bytes the untrusted host relays through calls into the enclave
/// (e.g. an ECALL per chunk received from a TCP client): an <see cref="SslStream"/> server, typically presenting an
/// <see cref="RaTlsCertificate"/>, over a stream that the host feeds with <see cref="Process"/>. The host sees only TLS
/// records; the keys and the plaintext stay here.
/// </summary>
/// <remarks>
/// <see cref="Process"/> hands in the received bytes and runs the handshake and the <c>serve</c> delegate on the
/// calling thread until they wait for more bytes, then returns what they wrote. This keeps everything the session does
/// (OCALLs included) inside the call that fed it, as enclave runtimes require. So <c>serve</c> must wait only on the
/// <see cref="SslStream"/> it is given (no <c>Task.Run</c>, timers or other I/O); if it does otherwise,
/// <see cref="Process"/> waits up to <see cref="ProcessTimeout"/> for it and returns what was written by then.
/// One caller at a time.
/// </remarks>
public sealed class RelayedTlsSession : IDisposable
{
    /// <summary>The default limit for bytes held unread or untaken in either direction: 1 MiB.</summary>
    public const int DefaultMaxBufferedBytes = 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly RelayedStream _transport;
    private readonly SslStream _tls;
    private readonly Task _serving;

    /// <summary>Starts the session: the TLS server waits for the client's first bytes.</summary>
    /// <param name="options">The server options (certificate, protocols; e.g. <c>RaTlsCertificate.Create(...)</c> and TLS 1.3).</param>
    /// <param name="serve">The application, run once the handshake succeeds; the session ends when it returns.</param>
    /// <param name="maxBufferedBytes">The most bytes held unread (received) or untaken (to send); at least 16 KiB.</param>
    public RelayedTlsSession(SslServerAuthenticationOptions options, Func<SslStream, Task> serve, int maxBufferedBytes = DefaultMaxBufferedBytes)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serve);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedBytes, 16 * 1024);
        _transport = new RelayedStream(maxBufferedBytes);
        _tls = new SslStream(_transport, leaveInnerStreamOpen: false);
        _serving = RunAsync(options, serve);
    }

    /// <summary>How long <see cref="Process"/> waits for a session that went off its thread (default 10 seconds).</summary>
    public TimeSpan ProcessTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>True once the handshake or <c>serve</c> has ended and every byte written has been taken: the host can close the connection.</summary>
    public bool IsCompleted => _serving.IsCompleted && _transport.PendingOutput == 0;

    /// <summary>What ended the session with an error (e.g. <see cref="System.Security.Authentication.AuthenticationException"/> when the client aborted the handshake), or null.</summary>
    public Exception? Fault => _serving.IsFaulted ? _serving.Exception!.InnerException : null;

    /// <summary>
    /// Hands in the bytes received from the client (possibly none), runs the session until it waits for more, and
    /// writes the bytes to send to the client into <paramref name="destination"/>. Returns how many; when that fills
    /// <paramref name="destination"/>, call again with no bytes for the rest.
    /// </summary>
    /// <exception cref="SecGearException">The bytes would exceed the unread limit.</exception>
    public int Process(ReadOnlySpan<byte> received, Span<byte> destination)
    {
        lock (_gate)
        {
            _transport.Deliver(received);
            WaitUntilSettled();
            return _transport.TakeOutput(destination);
        }
    }

    /// <summary>The client closed its connection: the session reads end of stream (and ends if it was waiting for bytes).</summary>
    public void CompleteReceiving()
    {
        lock (_gate)
        {
            _transport.CompleteReceiving();
            WaitUntilSettled();
        }
    }

    /// <summary>Ends the TLS stream and forgets its keys.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _transport.CompleteReceiving();
            _tls.Dispose();
        }

        // A session that ended with an error has reported it through Fault; it is not left unobserved.
        _ = _serving.Exception;
    }

    private async Task RunAsync(SslServerAuthenticationOptions options, Func<SslStream, Task> serve)
    {
        await _tls.AuthenticateAsServerAsync(options).ConfigureAwait(false);
        await serve(_tls).ConfigureAwait(false);
    }

    // The normal case is settled already: the delivery ran the session inline until its next read.
    private void WaitUntilSettled()
    {
        if (_serving.IsCompleted || _transport.IsWaitingForInput)
        {
            return;
        }

        var deadline = DateTime.UtcNow + ProcessTimeout;
        while (!_serving.IsCompleted && !_transport.IsWaitingForInput && DateTime.UtcNow < deadline)
        {
            ((IAsyncResult)_serving).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(1));
        }
    }
}
