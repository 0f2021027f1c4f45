using SecGear.Attestation;

namespace SecGear.SecureChannel;

/// <summary>
/// The client end of an attested secure channel, usable from any .NET application. <c>ConnectAsync</c> runs the
/// handshake over a stream or any <see cref="SecureChannelTransport"/> and succeeds only when the server's evidence verifies under the policy and is bound to this
/// handshake's transcript and server key; afterwards every message is an AEAD record (AES-256-GCM, or SM4-GCM in the
/// SM suite) with a sequence number.
/// Sends and receives may run concurrently with each other, but not with themselves.
/// </summary>
public sealed class SecureChannelClient : IAsyncDisposable
{
    private readonly SecureChannelTransport _transport;
    private readonly bool _ownsTransport;
    private readonly ChannelSession _session;
    private readonly SecureChannelOptions _options;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly SemaphoreSlim _receiveGate = new(1, 1);
    private DateTimeOffset _lastReceive;

    private SecureChannelClient(SecureChannelTransport transport, bool ownsTransport, ChannelSession session, AttestationClaims claims, SecureChannelOptions options)
    {
        _transport = transport;
        _ownsTransport = ownsTransport;
        _session = session;
        _options = options;
        PeerClaims = claims;
        _lastReceive = options.TimeProvider.GetUtcNow();
    }

    /// <summary>The verified claims of the enclave at the other end.</summary>
    public AttestationClaims PeerClaims { get; }

    /// <summary>The negotiated suite.</summary>
    public SecureChannelSuite Suite => _session.Suite;

    /// <summary>The 16-byte session id chosen by the server.</summary>
    public ReadOnlyMemory<byte> SessionId => _session.SessionId;

    /// <summary>The key epoch of the sending direction (0 until the first rekey).</summary>
    public uint SendEpoch => _session.SendEpoch;

    /// <summary>The key epoch of the receiving direction (0 until the server's first rekey).</summary>
    public uint ReceiveEpoch => _session.ReceiveEpoch;

    /// <summary>
    /// Runs the handshake over <paramref name="transport"/>. The policy must not set
    /// <see cref="AttestationPolicy.ExpectedReportData"/>: the channel binds the report data itself. Simulated evidence
    /// is accepted only when the policy allows simulation (and the verifier has the simulation plug-in registered).
    /// </summary>
    /// <exception cref="SecureChannelException">The handshake failed; <see cref="SecureChannelException.Reason"/> says why.</exception>
    public static async Task<SecureChannelClient> ConnectAsync(
        Stream transport,
        AttestationVerifier verifier,
        AttestationPolicy policy,
        SecureChannelOptions? options = null,
        Collateral? collateral = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var frames = new StreamTransport(transport, leaveOpen: true);
        try
        {
            return await ConnectAsync(frames, ownsTransport: true, verifier, policy, options, collateral, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await frames.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs the handshake over any <see cref="SecureChannelTransport"/> (stream, pipes, send callback), which stays the
    /// caller's to dispose; otherwise as <see cref="ConnectAsync(Stream, AttestationVerifier, AttestationPolicy, SecureChannelOptions?, Collateral?, CancellationToken)"/>.
    /// </summary>
    public static Task<SecureChannelClient> ConnectAsync(
        SecureChannelTransport transport,
        AttestationVerifier verifier,
        AttestationPolicy policy,
        SecureChannelOptions? options = null,
        Collateral? collateral = null,
        CancellationToken cancellationToken = default) =>
        ConnectAsync(transport, ownsTransport: false, verifier, policy, options, collateral, cancellationToken);

    private static async Task<SecureChannelClient> ConnectAsync(
        SecureChannelTransport transport,
        bool ownsTransport,
        AttestationVerifier verifier,
        AttestationPolicy policy,
        SecureChannelOptions? options,
        Collateral? collateral,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.ExpectedReportData is not null)
        {
            throw new ArgumentException("the secure channel binds the report data itself; leave ExpectedReportData unset", nameof(policy));
        }

        options ??= new SecureChannelOptions();
        options.Validate();
        using var handshake = new ClientHandshake(options, verifier, policy, collateral);
        await WriteAsync(transport, handshake.CreateHello(), cancellationToken).ConfigureAwait(false);
        var serverHello = await ReadRequiredAsync(transport, options, cancellationToken).ConfigureAwait(false);
        await handshake.EarlyKeyReady.ConfigureAwait(false);
        var clientKey = handshake.ProcessServerHello(serverHello);
        await WriteAsync(transport, clientKey, cancellationToken).ConfigureAwait(false);
        var session = handshake.ProcessServerFinished(await ReadRequiredAsync(transport, options, cancellationToken).ConfigureAwait(false));
        return new SecureChannelClient(transport, ownsTransport, session, handshake.Claims ?? throw new InvalidOperationException("the handshake finished without verified claims"), options);
    }

    /// <summary>Sends one message (at most <see cref="SecureChannelOptions.MaxRecordPayload"/> bytes) as a record.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteAsync(_transport, _session.Seal(message.Span), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// Receives one message, or null after the server's authenticated close. A transport that ends without that close
    /// is <see cref="SecureChannelFailureCode.Truncated"/>. When the server rejected this session's last message and
    /// said so in an Alert, the exception carries the server's reason (<see cref="SecureChannelException.IsPeerAlert"/>).
    /// </summary>
    public async Task<byte[]?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        await _receiveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_options.TimeProvider.GetUtcNow() - _lastReceive > _options.IdleTimeout)
            {
                _session.Close();
                throw Wire.Fail(SecureChannelFailureCode.IdleTimeout, $"the session was idle longer than {_options.IdleTimeout}");
            }

            byte[] frame;
            try
            {
                frame = await ReadRequiredAsync(_transport, _options, cancellationToken).ConfigureAwait(false);
            }
            catch (SecureChannelException)
            {
                _session.Close();
                throw;
            }

            var type = Wire.Parse(frame, _options.MaxFrameLength, out _);
            if (type == MessageType.Alert)
            {
                throw Alert.ToException(frame.AsSpan(Wire.FrameHeaderLength), _session, _session.SessionId);
            }

            var message = _session.Open(type, frame.AsSpan(Wire.FrameHeaderLength));
            _lastReceive = _options.TimeProvider.GetUtcNow();
            return message;
        }
        finally
        {
            _receiveGate.Release();
        }
    }

    /// <summary>Sends the authenticated close and closes the session; the transport is left to its owner.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_session.IsClosed)
            {
                await WriteAsync(_transport, _session.SealClose(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Forgets the session keys. Does not send a close; call <see cref="CloseAsync"/> first for a clean end.</summary>
    public async ValueTask DisposeAsync()
    {
        _session.Dispose();
        _sendGate.Dispose();
        _receiveGate.Dispose();
        if (_ownsTransport)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static ValueTask WriteAsync(SecureChannelTransport transport, byte[] frame, CancellationToken cancellationToken) =>
        transport.SendAsync(frame, cancellationToken);

    private static async Task<byte[]> ReadRequiredAsync(SecureChannelTransport transport, SecureChannelOptions options, CancellationToken cancellationToken) =>
        await transport.ReadFrameAsync(options.MaxFrameLength, cancellationToken).ConfigureAwait(false)
            ?? throw Wire.Fail(SecureChannelFailureCode.Truncated, "the transport ended before an authenticated close");
}
