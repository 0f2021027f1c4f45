using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>
/// The enclave side of the secure channel: terminates handshakes and records inside the enclave. It takes whole frames
/// (as relayed by the untrusted host) and returns the frames to send back. Evidence comes from a delegate so this type
/// does not depend on the enclave runtime: it receives the report data to bind (a transcript hash, at most 64 bytes)
/// and returns evidence, e.g. <c>data =&gt; EnclaveContext.Platform.GetEvidence(data)</c>. Application data is handed
/// to the request handler, whose reply (if any) goes back as a record. Thread-safe: calls are serialised.
/// </summary>
public sealed class SecureChannelServer : IDisposable
{
    private readonly Func<ReadOnlySpan<byte>, byte[]> evidenceProvider;
    private readonly Func<ReadOnlyMemory<byte>, byte[]?> requestHandler;
    private readonly SecureChannelOptions options;
    private readonly Dictionary<Guid, ServerSessionState> sessions = [];
    private readonly Lock gate = new();

    /// <summary>Creates a server.</summary>
    /// <param name="evidenceProvider">Produces evidence whose report data starts with the given bytes.</param>
    /// <param name="requestHandler">Handles one application message; returns the reply, or null for none.</param>
    /// <param name="options">Limits and suites; defaults when null.</param>
    public SecureChannelServer(Func<ReadOnlySpan<byte>, byte[]> evidenceProvider, Func<ReadOnlyMemory<byte>, byte[]?> requestHandler, SecureChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(evidenceProvider);
        ArgumentNullException.ThrowIfNull(requestHandler);
        this.options = options ?? new SecureChannelOptions();
        this.options.Validate();
        this.evidenceProvider = evidenceProvider;
        this.requestHandler = requestHandler;
    }

    /// <summary>The number of sessions held, handshaking or established.</summary>
    public int SessionCount
    {
        get
        {
            lock (gate)
            {
                return sessions.Count;
            }
        }
    }

    /// <summary>
    /// Processes one frame from a client and returns the frames to send back (possibly none). Throws
    /// <see cref="SecureChannelException"/> for any bad frame; the session it names, if known, is closed and forgotten.
    /// </summary>
    public IReadOnlyList<byte[]> Process(ReadOnlySpan<byte> frame)
    {
        lock (gate)
        {
            var type = Wire.Parse(frame, options.MaxFrameLength, out var body);
            return type switch
            {
                MessageType.ClientHello => [ClientHello(body)],
                MessageType.ClientKey => [ClientKey(body)],
                MessageType.Record or MessageType.Close => Record(type, body),
                _ => throw Wire.Fail(SecureChannelFailureReason.UnexpectedMessage, $"message type {(byte)type} is not one a server accepts"),
            };
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

        lock (gate)
        {
            var id = new Guid(sessionId);
            if (!sessions.TryGetValue(id, out var state) || state.Session is not { } session)
            {
                throw Wire.Fail(SecureChannelFailureReason.UnknownSession, "no established session has this id");
            }

            try
            {
                return session.SealClose();
            }
            finally
            {
                Remove(id);
            }
        }
    }

    /// <summary>
    /// Closes and forgets every session idle longer than <see cref="SecureChannelOptions.IdleTimeout"/> and every handshake
    /// older than <see cref="SecureChannelOptions.HandshakeTimeout"/>; returns how many.
    /// </summary>
    public int RemoveIdleSessions()
    {
        lock (gate)
        {
            var now = options.TimeProvider.GetUtcNow();
            var idle = sessions.Where(s => IsIdle(s.Value, now)).Select(s => s.Key).ToList();
            foreach (var id in idle)
            {
                Remove(id);
            }

            return idle.Count;
        }
    }

    /// <summary>Closes every session and forgets its keys.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var id in sessions.Keys.ToList())
            {
                Remove(id);
            }
        }
    }

    private byte[] ClientHello(ReadOnlySpan<byte> body)
    {
        var reader = new WireReader(body, "ClientHello");
        ushort version = reader.U16();
        if (version != Wire.Version)
        {
            throw Wire.Fail(SecureChannelFailureReason.UnsupportedVersion, $"the client speaks version {version}; this server speaks {Wire.Version}");
        }

        int count = reader.U8();
        if (count is 0 or > Wire.MaxSuites)
        {
            throw Wire.Fail(SecureChannelFailureReason.MalformedMessage, $"ClientHello offers {count} suites; 1 to {Wire.MaxSuites} are allowed");
        }

        var offered = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            offered[i] = reader.U16();
        }

        reader.Bytes(Wire.NonceLength);
        reader.End();
        var chosen = options.Suites.FirstOrDefault(s => offered.Contains((ushort)s));
        if (chosen == default)
        {
            throw Wire.Fail(SecureChannelFailureReason.NoCommonSuite, $"the client offers {string.Join(", ", offered)}; this server accepts {string.Join(", ", options.Suites.Select(s => (ushort)s))}");
        }

        RemoveIdleSessions();
        if (sessions.Count >= options.MaxSessions)
        {
            throw Wire.Fail(SecureChannelFailureReason.SessionLimitReached, $"the server holds its maximum of {options.MaxSessions} sessions; retry later");
        }

        var suite = SuiteInfo.For(chosen);
        var sessionId = RandomNumberGenerator.GetBytes(Wire.SessionIdLength);
        var ephemeral = suite.CreateEphemeral();
        try
        {
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
            if (serverHello.Length > options.MaxFrameLength)
            {
                throw Wire.Fail(SecureChannelFailureReason.FrameTooLarge, $"the ServerHello with {evidence.Length} bytes of evidence exceeds the {options.MaxFrameLength}-byte frame limit");
            }

            sessions.Add(new Guid(sessionId), new ServerSessionState(suite, sessionId, ephemeral, body.ToArray(), serverHello, options.TimeProvider.GetUtcNow()));
            return Wire.Frame(MessageType.ServerHello, serverHello);
        }
        catch
        {
            ephemeral.Dispose();
            throw;
        }
    }

    private byte[] Evidence(byte[] reportData)
    {
        byte[] evidence;
        try
        {
            evidence = evidenceProvider(reportData);
        }
        catch (Exception ex) when (ex is not SecureChannelException)
        {
            // The provider's own message may describe platform internals; the type is enough to act on.
            throw Wire.Fail(SecureChannelFailureReason.EvidenceUnavailable, $"the evidence provider failed with {ex.GetType().Name}");
        }

        return evidence is { Length: > 0 }
            ? evidence
            : throw Wire.Fail(SecureChannelFailureReason.EvidenceUnavailable, "the evidence provider returned no evidence");
    }

    private byte[] ClientKey(ReadOnlySpan<byte> body)
    {
        var (id, state) = Find(body);
        try
        {
            if (state.Ephemeral is not { } ephemeral)
            {
                throw Wire.Fail(SecureChannelFailureReason.UnexpectedMessage, "ClientKey for a session that is already established");
            }

            var suite = state.Suite;
            var reader = new WireReader(body, "ClientKey");
            reader.Bytes(Wire.SessionIdLength);
            var clientPublic = reader.Bytes(reader.U16());
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
                    throw Wire.Fail(SecureChannelFailureReason.KeyConfirmationFailed, "the client's Finished does not match this handshake");
                }

                var serverFinished = KeySchedule.Finished(suite, keys.ServerFinished, [.. transcriptHash, .. finished]);
                state.Establish(new ChannelSession(suite, state.SessionId, keys.ServerTraffic, keys.ClientTraffic, options));
                state.LastActivity = options.TimeProvider.GetUtcNow();
                return Wire.Frame(MessageType.ServerFinished, [.. state.SessionId, .. serverFinished]);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(keys.ClientFinished);
                CryptographicOperations.ZeroMemory(keys.ServerFinished);
            }
        }
        catch (SecureChannelException)
        {
            Remove(id);
            throw;
        }
    }

    private IReadOnlyList<byte[]> Record(MessageType type, ReadOnlySpan<byte> body)
    {
        var (id, state) = Find(body);
        try
        {
            if (state.Session is not { } session)
            {
                throw Wire.Fail(SecureChannelFailureReason.UnexpectedMessage, "a record before the handshake finished");
            }

            var plaintext = session.Open(type, body);
            state.LastActivity = options.TimeProvider.GetUtcNow();
            if (plaintext is null)
            {
                Remove(id);
                return [];
            }

            var reply = requestHandler(plaintext);
            if (reply is null)
            {
                return [];
            }

            return reply.Length <= options.MaxRecordPayload
                ? [session.Seal(reply)]
                : throw Wire.Fail(SecureChannelFailureReason.RecordTooLarge, $"the request handler's reply is {reply.Length} bytes; a record carries at most {options.MaxRecordPayload}");
        }
        catch
        {
            Remove(id);
            throw;
        }
    }

    private (Guid Id, ServerSessionState State) Find(ReadOnlySpan<byte> body)
    {
        if (body.Length < Wire.SessionIdLength)
        {
            throw Wire.Fail(SecureChannelFailureReason.Truncated, $"the message is {body.Length} bytes, shorter than a session id");
        }

        var id = new Guid(body[..Wire.SessionIdLength]);
        if (!sessions.TryGetValue(id, out var state))
        {
            throw Wire.Fail(SecureChannelFailureReason.UnknownSession, "the message names a session this server does not hold (never opened, closed or expired)");
        }

        if (IsIdle(state, options.TimeProvider.GetUtcNow()))
        {
            Remove(id);
            throw Wire.Fail(SecureChannelFailureReason.IdleTimeout, state.Session is null
                ? $"the handshake did not finish within {options.HandshakeTimeout}"
                : $"the session was idle longer than {options.IdleTimeout}");
        }

        return (id, state);
    }

    private bool IsIdle(ServerSessionState state, DateTimeOffset now) =>
        now - state.LastActivity > (state.Session is null ? options.HandshakeTimeout : options.IdleTimeout);

    private void Remove(Guid id)
    {
        if (sessions.Remove(id, out var state))
        {
            state.Dispose();
        }
    }
}
