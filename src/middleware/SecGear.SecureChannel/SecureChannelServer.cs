using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.SecureChannel;

/// <summary>
/// The enclave side of the secure channel: terminates handshakes and records inside the enclave. It takes whole frames
/// (as relayed by the untrusted host) and returns the frames to send back. Evidence comes from a delegate so this type
/// does not depend on the enclave runtime: it receives the report data to bind (a transcript hash, at most 64 bytes)
/// and returns evidence, e.g. <c>data =&gt; EnclaveContext.Platform.GetEvidence(data)</c>. Application data is handed
/// to the request handler, whose reply (if any) goes back as a record. Thread-safe, with no server-wide lock: frames of
/// different sessions are processed in parallel (so the evidence provider and the request handler may be called
/// concurrently for different sessions), frames of one session one at a time.
/// </summary>
public sealed class SecureChannelServer : IDisposable
{
    private readonly Func<ReadOnlySpan<byte>, byte[]> _evidenceProvider;
    private readonly Func<SecureChannelRequest, byte[]?> _requestHandler;
    private readonly SecureChannelOptions _options;
    private readonly ConcurrentDictionary<Guid, ServerSessionState> _sessions = new();
    private readonly EphemeralKeyPool _keys;

    // Slots reserved by a ClientHello before its (slow) key generation and evidence, released when its session is
    // removed or the ClientHello fails: it keeps MaxSessions exact however many handshakes race.
    private int _reservedSlots;

    /// <summary>Creates a server.</summary>
    /// <param name="evidenceProvider">Produces evidence whose report data starts with the given bytes.</param>
    /// <param name="requestHandler">Handles one application message; returns the reply, or null for none.</param>
    /// <param name="options">Limits and suites; defaults when null.</param>
    public SecureChannelServer(Func<ReadOnlySpan<byte>, byte[]> evidenceProvider, Func<ReadOnlyMemory<byte>, byte[]?> requestHandler, SecureChannelOptions? options = null)
        : this(evidenceProvider, WithoutContext(requestHandler), options)
    {
    }

    private SecureChannelServer(Func<ReadOnlySpan<byte>, byte[]> evidenceProvider, Func<SecureChannelRequest, byte[]?> requestHandler, SecureChannelOptions? options)
    {
        ArgumentNullException.ThrowIfNull(evidenceProvider);
        _options = options ?? new SecureChannelOptions();
        _options.Validate();
        _evidenceProvider = evidenceProvider;
        _requestHandler = requestHandler;
        _keys = new EphemeralKeyPool(_options.PregeneratedKeys);
    }

    /// <summary>
    /// Creates a server whose request handler also learns the session each message comes on and, with client
    /// authentication, the client's verified certificate.
    /// </summary>
    /// <param name="evidenceProvider">Produces evidence whose report data starts with the given bytes.</param>
    /// <param name="requestHandler">Handles one application message; returns the reply, or null for none.</param>
    /// <param name="options">Limits and suites; defaults when null.</param>
    public static SecureChannelServer Create(Func<ReadOnlySpan<byte>, byte[]> evidenceProvider, Func<SecureChannelRequest, byte[]?> requestHandler, SecureChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(requestHandler);
        return new SecureChannelServer(evidenceProvider, requestHandler, options);
    }

    /// <summary>How many pre-generated ephemeral keys of <paramref name="suite"/> are ready (benchmarks wait for a full pool).</summary>
    internal int ReadyKeys(SecureChannelSuite suite) => _keys.Ready(suite);

    /// <summary>The number of sessions held, handshaking or established.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>
    /// Processes one frame from a client and returns the frames to send back (possibly none). Throws
    /// <see cref="SecureChannelException"/> for any bad frame; the session it names, if known, is closed and forgotten.
    /// The exception's <see cref="SecureChannelException.AlertFrame"/> is the Alert to send the client before ending
    /// the connection: sealed under the session key when the session was established, plain otherwise.
    /// </summary>
    public IReadOnlyList<byte[]> Process(ReadOnlySpan<byte> frame)
    {
        MessageType type = default;
        ReadOnlySpan<byte> body = default;
        try
        {
            type = Wire.Parse(frame, _options.MaxFrameLength, out body);
            return type switch
            {
                MessageType.ClientHello => [ClientHello(body)],
                MessageType.ClientKey => [ClientKey(body)],
                MessageType.Record or MessageType.Close => Record(type, body),
                _ => throw Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, $"message type {(byte)type} is not one a server accepts"),
            };
        }
        catch (SecureChannelException ex) when (ex.AlertFrame.IsEmpty)
        {
            bool namesSession = type is MessageType.ClientKey or MessageType.Record or MessageType.Close && body.Length >= Wire.SessionIdLength;
            ex.AlertFrame = Alert.PlainFrame(namesSession ? body[..Wire.SessionIdLength] : [], ex.Reason);
            throw;
        }
    }

    /// <summary>
    /// Ends an established session from the enclave side: returns the authenticated close frame to send to the client
    /// (whose next receive then returns null) and forgets the session.
    /// </summary>
    public byte[] CloseSession(ReadOnlySpan<byte> sessionId)
    {
        if (sessionId.Length != Wire.SessionIdLength)
        {
            throw new ArgumentException($"a session id is {Wire.SessionIdLength} bytes", nameof(sessionId));
        }

        var id = new Guid(sessionId);
        if (_sessions.TryGetValue(id, out var state))
        {
            lock (state.Gate)
            {
                if (!state.Removed && state.Session is { } session)
                {
                    try
                    {
                        return session.SealClose();
                    }
                    finally
                    {
                        Remove(id, state);
                    }
                }
            }
        }

        throw Wire.Fail(SecureChannelFailureCode.UnknownSession, "no established session has this id");
    }

    /// <summary>
    /// Closes and forgets every session idle longer than <see cref="SecureChannelOptions.IdleTimeout"/> and every handshake
    /// older than <see cref="SecureChannelOptions.HandshakeTimeout"/>; returns how many.
    /// </summary>
    public int RemoveIdleSessions()
    {
        var now = _options.TimeProvider.GetUtcNow();
        int removed = 0;
        foreach (var (id, state) in _sessions)
        {
            lock (state.Gate)
            {
                if (!state.Removed && IsIdle(state, now))
                {
                    Remove(id, state);
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Closes every session and forgets its keys, pre-generated ones included.</summary>
    public void Dispose()
    {
        _keys.Dispose();
        foreach (var (id, state) in _sessions)
        {
            lock (state.Gate)
            {
                Remove(id, state);
            }
        }
    }

    private byte[] ClientHello(ReadOnlySpan<byte> body)
    {
        var reader = new BigEndianReader(body, "ClientHello");
        ushort version = reader.U16();
        if (version != Wire.Version)
        {
            throw Wire.Fail(SecureChannelFailureCode.UnsupportedVersion, $"the client speaks version {version}; this server speaks {Wire.Version}");
        }

        int count = reader.U8();
        if (count is 0 or > Wire.MaxSuites)
        {
            throw Wire.Fail(SecureChannelFailureCode.MalformedMessage, $"ClientHello offers {count} suites; 1 to {Wire.MaxSuites} are allowed");
        }

        var offered = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            offered[i] = reader.U16();
        }

        reader.Bytes(Wire.NonceLength);
        reader.End();
        var chosen = _options.Suites.FirstOrDefault(s => offered.Contains((ushort)s));
        if (chosen == default)
        {
            throw Wire.Fail(SecureChannelFailureCode.NoCommonSuite, $"the client offers {string.Join(", ", offered)}; this server accepts {string.Join(", ", _options.Suites.Select(s => (ushort)s))}");
        }

        if (!TryReserveSlot())
        {
            RemoveIdleSessions();
            if (!TryReserveSlot())
            {
                throw Wire.Fail(SecureChannelFailureCode.SessionLimitReached, $"the server holds its maximum of {_options.MaxSessions} sessions; retry later");
            }
        }

        bool added = false;
        var suite = SuiteInfo.For(chosen);
        var sessionId = RandomNumberGenerator.GetBytes(Wire.SessionIdLength);
        EphemeralKey? ephemeral = null;
        try
        {
            ephemeral = _keys.Take(suite);
            var publicKey = ephemeral.PublicKey;
            int boundLength = 2 + 2 + Wire.SessionIdLength + 2 + publicKey.Length;
            var bound = new byte[boundLength];
            BinaryPrimitives.WriteUInt16BigEndian(bound, Wire.Version);
            BinaryPrimitives.WriteUInt16BigEndian(bound.AsSpan(2), (ushort)chosen);
            sessionId.CopyTo(bound, 4);
            BinaryPrimitives.WriteUInt16BigEndian(bound.AsSpan(4 + Wire.SessionIdLength), (ushort)publicKey.Length);
            publicKey.CopyTo(bound, 6 + Wire.SessionIdLength);

            var evidence = Evidence(ClientHandshake.ReportData(suite, body, bound));
            var serverHello = new byte[boundLength + 4 + evidence.Length];
            bound.CopyTo(serverHello, 0);
            BinaryPrimitives.WriteUInt32BigEndian(serverHello.AsSpan(boundLength), (uint)evidence.Length);
            evidence.CopyTo(serverHello, boundLength + 4);
            if (serverHello.Length > _options.MaxFrameLength)
            {
                throw Wire.Fail(SecureChannelFailureCode.FrameTooLarge, $"the ServerHello with {evidence.Length} bytes of evidence exceeds the {_options.MaxFrameLength}-byte frame limit");
            }

            // 128 random bits: a collision means a broken random generator, not bad luck.
            added = _sessions.TryAdd(new Guid(sessionId), new ServerSessionState(suite, sessionId, ephemeral, body.ToArray(), serverHello, _options.TimeProvider.GetUtcNow()));
            return added
                ? Wire.Frame(MessageType.ServerHello, serverHello)
                : throw new InvalidOperationException("the random generator repeated a 128-bit session id");
        }
        finally
        {
            if (!added)
            {
                ephemeral?.Dispose();
                Interlocked.Decrement(ref _reservedSlots);
            }
        }
    }

    private bool TryReserveSlot()
    {
        if (Interlocked.Increment(ref _reservedSlots) <= _options.MaxSessions)
        {
            return true;
        }

        Interlocked.Decrement(ref _reservedSlots);
        return false;
    }

    private byte[] Evidence(byte[] reportData)
    {
        byte[] evidence;
        try
        {
            evidence = _evidenceProvider(reportData);
        }
        catch (Exception ex) when (ex is not SecureChannelException)
        {
            // The provider's own message may describe platform internals; the type is enough to act on.
            throw Wire.Fail(SecureChannelFailureCode.EvidenceUnavailable, $"the evidence provider failed with {ex.GetType().Name}");
        }

        return evidence is { Length: > 0 }
            ? evidence
            : throw Wire.Fail(SecureChannelFailureCode.EvidenceUnavailable, "the evidence provider returned no evidence");
    }

    private byte[] ClientKey(ReadOnlySpan<byte> body)
    {
        var (id, state) = Find(body);
        lock (state.Gate)
        {
            try
            {
                CheckLive(state);
                if (state.Ephemeral is not { } ephemeral)
                {
                    throw Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, "ClientKey for a session that is already established");
                }

                var suite = state.Suite;
                var reader = new BigEndianReader(body, "ClientKey");
                reader.Bytes(Wire.SessionIdLength);
                var clientPublic = reader.Bytes(reader.U16());
                var clientCertificate = AuthenticateClient(state, body, ref reader);
                int keyPartLength = reader.Position;
                var finished = reader.Bytes(suite.HashLength);
                reader.End();

                var transcriptHash = ClientHandshake.TranscriptHash(suite, state.ClientHello, state.ServerHello, body[..keyPartLength]);
                var shared = ephemeral.DeriveSharedSecret(clientPublic);
                var keys = KeySchedule.Derive(suite, shared, transcriptHash);
                CryptographicOperations.ZeroMemory(shared);
                try
                {
                    var expected = KeySchedule.Finished(suite, keys.ClientFinished, transcriptHash);
                    if (!CryptographicOperations.FixedTimeEquals(expected, finished))
                    {
                        CryptographicOperations.ZeroMemory(keys.ClientTraffic);
                        CryptographicOperations.ZeroMemory(keys.ServerTraffic);
                        throw Wire.Fail(SecureChannelFailureCode.KeyConfirmationFailed, "the client's Finished does not match this handshake");
                    }

                    var serverFinished = KeySchedule.Finished(suite, keys.ServerFinished, [.. transcriptHash, .. finished]);
                    state.ClientCertificate = clientCertificate;
                    state.Establish(new ChannelSession(suite, state.SessionId, keys.ServerTraffic, keys.ClientTraffic, _options, sealsAlerts: true));
                    state.LastActivity = _options.TimeProvider.GetUtcNow();
                    return Wire.Frame(MessageType.ServerFinished, [.. state.SessionId, .. serverFinished]);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(keys.ClientFinished);
                    CryptographicOperations.ZeroMemory(keys.ServerFinished);
                }
            }
            catch (SecureChannelException ex)
            {
                throw Fail(id, state, ex);
            }
            finally
            {
                // The handshake's key work is over: replace the key it took while the client finishes.
                _keys.Replenish(state.Suite);
            }
        }
    }

    private IReadOnlyList<byte[]> Record(MessageType type, ReadOnlySpan<byte> body)
    {
        var (id, state) = Find(body);
        lock (state.Gate)
        {
            try
            {
                CheckLive(state);
                if (state.Session is not { } session)
                {
                    throw Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, "a record before the handshake finished");
                }

                var plaintext = session.Open(type, body);
                state.LastActivity = _options.TimeProvider.GetUtcNow();
                if (plaintext is null)
                {
                    Remove(id, state);
                    return [];
                }

                var reply = _requestHandler(new SecureChannelRequest(plaintext, state.SessionId, state.Suite.Suite, state.ClientCertificate));
                if (reply is null)
                {
                    return [];
                }

                return reply.Length <= _options.MaxRecordPayload
                    ? [session.Seal(reply)]
                    : throw Wire.Fail(SecureChannelFailureCode.RecordTooLarge, $"the request handler's reply is {reply.Length} bytes; a record carries at most {_options.MaxRecordPayload}");
            }
            catch (SecureChannelException ex)
            {
                throw Fail(id, state, ex);
            }
            catch
            {
                Remove(id, state);
                throw;
            }
        }
    }

    /// <summary>
    /// Reads and checks the optional certificate part of ClientKey (after the client key, before the Finished): required
    /// and accepted by the policy when one is set, refused when none is.
    /// </summary>
    private byte[] AuthenticateClient(ServerSessionState state, ReadOnlySpan<byte> body, ref BigEndianReader reader)
    {
        bool present = body.Length - reader.Position > state.Suite.HashLength;
        if (_options.ClientCertificatePolicy is not { } policy)
        {
            if (present)
            {
                throw Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, "the client sent a certificate; this server does not authenticate clients");
            }

            return [];
        }

        if (!present)
        {
            throw Wire.Fail(SecureChannelFailureCode.ClientCertificateRequired, "this server requires a client certificate and the client sent none");
        }

        var certificateBytes = reader.Bytes(checked((int)Math.Min(reader.U32(), int.MaxValue)));
        int signedLength = reader.Position;
        var signature = reader.Bytes(reader.U16());
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(certificateBytes);
        }
        catch (CryptographicException)
        {
            throw Wire.Fail(SecureChannelFailureCode.ClientCertificateRejected, "the client certificate is not a well-formed X.509 certificate");
        }

        using (certificate)
        {
            string? refusal;
            try
            {
                refusal = policy.Check(certificate, _options.TimeProvider.GetUtcNow());
            }
            catch (CryptographicException)
            {
                // The loader decodes lazily: a field it cannot decode shows up only when read.
                throw Wire.Fail(SecureChannelFailureCode.ClientCertificateRejected, "the client certificate has a field that is not well-formed");
            }

            if (refusal is not null)
            {
                throw Wire.Fail(SecureChannelFailureCode.ClientCertificateRejected, refusal);
            }

            if (signature.IsEmpty)
            {
                throw Wire.Fail(SecureChannelFailureCode.ClientCertificateSignatureInvalid, "the client certificate comes without a signature over the handshake");
            }

            var message = ClientCertificateVerify.Message(state.Suite, state.ClientHello, state.ServerHello, body[..signedLength]);
            try
            {
                ClientCertificateVerify.Verify(state.Suite, certificate, message, signature);
            }
            catch (CryptographicException)
            {
                throw Wire.Fail(SecureChannelFailureCode.ClientCertificateRejected, "the client certificate's public key cannot be read");
            }
        }

        return certificateBytes.ToArray();
    }

    private static Func<SecureChannelRequest, byte[]?> WithoutContext(Func<ReadOnlyMemory<byte>, byte[]?> requestHandler)
    {
        ArgumentNullException.ThrowIfNull(requestHandler);
        return request => requestHandler(request.Message);
    }

    private (Guid Id, ServerSessionState State) Find(ReadOnlySpan<byte> body)
    {
        if (body.Length < Wire.SessionIdLength)
        {
            throw Wire.Fail(SecureChannelFailureCode.Truncated, $"the message is {body.Length} bytes, shorter than a session id");
        }

        var id = new Guid(body[..Wire.SessionIdLength]);
        return _sessions.TryGetValue(id, out var state)
            ? (id, state)
            : throw UnknownSession();
    }

    /// <summary>Under the session's gate: refuses a session removed meanwhile or idle too long.</summary>
    private void CheckLive(ServerSessionState state)
    {
        if (state.Removed)
        {
            throw UnknownSession();
        }

        if (IsIdle(state, _options.TimeProvider.GetUtcNow()))
        {
            throw Wire.Fail(SecureChannelFailureCode.IdleTimeout, state.Session is null
                ? $"the handshake did not finish within {_options.HandshakeTimeout}"
                : $"the session was idle longer than {_options.IdleTimeout}");
        }
    }

    private static SecureChannelException UnknownSession() =>
        Wire.Fail(SecureChannelFailureCode.UnknownSession, "the message names a session this server does not hold (never opened, closed or expired)");

    /// <summary>Under the session's gate: seals the alert while the keys still exist, then forgets the session.</summary>
    private SecureChannelException Fail(Guid id, ServerSessionState state, SecureChannelException failure)
    {
        if (!state.Removed)
        {
            if (state.Session is { } session)
            {
                session.FailWithAlert(failure);
            }

            Remove(id, state);
        }

        return failure;
    }

    private bool IsIdle(ServerSessionState state, DateTimeOffset now) =>
        now - state.LastActivity > (state.Session is null ? _options.HandshakeTimeout : _options.IdleTimeout);

    /// <summary>Under the session's gate: removes exactly this state (not a later one under the same id) and frees its slot.</summary>
    private void Remove(Guid id, ServerSessionState state)
    {
        if (_sessions.TryRemove(new KeyValuePair<Guid, ServerSessionState>(id, state)))
        {
            Interlocked.Decrement(ref _reservedSlots);
        }

        state.Dispose();
    }
}
