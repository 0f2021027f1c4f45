using System.Buffers.Binary;
using System.Security.Cryptography;
using SecGear.Attestation;

namespace SecGear.SecureChannel;

/// <summary>
/// The client side of handshake v1 without I/O: ClientHello, then ServerHello (evidence verified and bound to the
/// transcript and the server key), then ClientKey with the client's Finished, then the server's Finished.
/// </summary>
internal sealed class ClientHandshake : IDisposable
{
    private readonly SecureChannelOptions _options;
    private readonly AttestationVerifier _verifier;
    private readonly AttestationPolicy _policy;
    private readonly Collateral? _collateral;
    private byte[] _clientHello = [];
    private SuiteInfo? _suite;
    private byte[] _sessionId = [];
    private byte[] _transcriptHash = [];
    private byte[] _clientFinished = [];
    private (byte[] ClientTraffic, byte[] ServerTraffic, byte[] ClientFinished, byte[] ServerFinished)? _keys;
    private Task<EphemeralKey>? _earlyKey;

    public ClientHandshake(SecureChannelOptions options, AttestationVerifier verifier, AttestationPolicy policy, Collateral? collateral)
    {
        _options = options;
        _verifier = verifier;
        _policy = policy;
        _collateral = collateral;
    }

    public AttestationClaims? Claims { get; private set; }

    /// <summary>Completes when the key started by <see cref="CreateHello"/> exists, so async callers need not block on it.</summary>
    public Task EarlyKeyReady => (Task?)_earlyKey ?? Task.CompletedTask;

    public byte[] CreateHello()
    {
        var body = new byte[2 + 1 + (2 * _options.Suites.Count) + Wire.NonceLength];
        BinaryPrimitives.WriteUInt16BigEndian(body, Wire.Version);
        body[2] = (byte)_options.Suites.Count;
        for (int i = 0; i < _options.Suites.Count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(3 + (2 * i)), (ushort)_options.Suites[i]);
        }

        RandomNumberGenerator.Fill(body.AsSpan(body.Length - Wire.NonceLength));
        _clientHello = body;
        if (_options.PregeneratedKeys > 0)
        {
            // Generate the key for the preferred suite while the ClientHello travels and the server works.
            var preferred = SuiteInfo.For(_options.Suites[0]);
            _earlyKey = Task.Run(preferred.CreateEphemeral);
        }

        return Wire.Frame(MessageType.ClientHello, body);
    }

    /// <summary>Verifies the ServerHello and its evidence, and returns the ClientKey frame.</summary>
    public byte[] ProcessServerHello(ReadOnlySpan<byte> frame)
    {
        var body = Expect(frame, MessageType.ServerHello);
        var reader = new BigEndianReader(body, "ServerHello");
        ushort version = reader.U16();
        if (version != Wire.Version)
        {
            throw Wire.Fail(SecureChannelFailureCode.UnsupportedVersion, $"the server chose version {version}; this client speaks {Wire.Version}");
        }

        var chosen = (SecureChannelSuite)reader.U16();
        if (!_options.Suites.Contains(chosen))
        {
            throw Wire.Fail(SecureChannelFailureCode.NoCommonSuite, $"the server chose suite {(ushort)chosen}, which this client did not offer");
        }

        _suite = SuiteInfo.For(chosen);
        _sessionId = reader.Bytes(Wire.SessionIdLength).ToArray();
        var serverPublic = reader.Bytes(reader.U16());
        int boundLength = reader.Position;
        var evidenceBytes = reader.Bytes(checked((int)Math.Min(reader.U32(), int.MaxValue)));
        reader.End();

        // The agreement validates the server's point (InvalidPublicKey) before the evidence is even looked at; nothing
        // derived from it leaves this method unless the evidence verifies and is bound to this point.
        using var ephemeral = TakeEphemeral(_suite);
        var shared = ephemeral.DeriveSharedSecret(serverPublic);
        try
        {
            Verify(evidenceBytes, ReportData(_suite, _clientHello, body[..boundLength]));

            var clientPublic = ephemeral.PublicKey;
            var keyPart = ClientKeyPart(_suite, body, clientPublic);
            var clientKey = new byte[keyPart.Length + _suite.HashLength];
            keyPart.CopyTo(clientKey, 0);
            int keyPartLength = keyPart.Length;

            _transcriptHash = TranscriptHash(_suite, _clientHello, body, clientKey.AsSpan(0, keyPartLength));
            _keys = KeySchedule.Derive(_suite, shared, _transcriptHash);
            _clientFinished = KeySchedule.Finished(_suite, _keys.Value.ClientFinished, _transcriptHash);
            _clientFinished.CopyTo(clientKey, keyPartLength);
            return Wire.Frame(MessageType.ClientKey, clientKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    /// <summary>Checks the server's Finished (key confirmation) and returns the established session.</summary>
    public ChannelSession ProcessServerFinished(ReadOnlySpan<byte> frame)
    {
        if (_keys is not { } k || _suite is null)
        {
            throw Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, "ServerFinished before ServerHello");
        }

        var body = Expect(frame, MessageType.ServerFinished);
        var reader = new BigEndianReader(body, "ServerFinished");
        var id = reader.Bytes(Wire.SessionIdLength);
        var finished = reader.Bytes(_suite.HashLength);
        reader.End();
        if (!id.SequenceEqual(_sessionId))
        {
            throw Wire.Fail(SecureChannelFailureCode.CrossSession, "ServerFinished names another session");
        }

        var expected = KeySchedule.Finished(_suite, k.ServerFinished, [.. _transcriptHash, .. _clientFinished]);
        if (!CryptographicOperations.FixedTimeEquals(expected, finished))
        {
            throw Wire.Fail(SecureChannelFailureCode.KeyConfirmationFailed, "the server's Finished does not match this handshake");
        }

        var session = new ChannelSession(_suite, _sessionId, k.ClientTraffic, k.ServerTraffic, _options);
        _keys = null;
        CryptographicOperations.ZeroMemory(k.ClientFinished);
        CryptographicOperations.ZeroMemory(k.ServerFinished);
        return session;
    }

    public void Dispose()
    {
        if (_earlyKey is { } pending)
        {
            _earlyKey = null;
            pending.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        if (_keys is { } k)
        {
            CryptographicOperations.ZeroMemory(k.ClientTraffic);
            CryptographicOperations.ZeroMemory(k.ServerTraffic);
            CryptographicOperations.ZeroMemory(k.ClientFinished);
            CryptographicOperations.ZeroMemory(k.ServerFinished);
            _keys = null;
        }
    }

    /// <summary>Report data the enclave must put in its evidence: H(ClientHello body || ServerHello body up to the evidence).</summary>
    internal static byte[] ReportData(SuiteInfo suite, ReadOnlySpan<byte> clientHelloBody, ReadOnlySpan<byte> serverHelloBound) =>
        suite.HashData([.. clientHelloBody, .. serverHelloBound]);

    /// <summary>The transcript hash keys and Finished messages are bound to.</summary>
    internal static byte[] TranscriptHash(SuiteInfo suite, ReadOnlySpan<byte> clientHelloBody, ReadOnlySpan<byte> serverHelloBody, ReadOnlySpan<byte> clientKeyPart) =>
        suite.HashData([.. clientHelloBody, .. serverHelloBody, .. clientKeyPart]);

    private ReadOnlySpan<byte> Expect(ReadOnlySpan<byte> frame, MessageType expected)
    {
        var type = Wire.Parse(frame, int.MaxValue, out var body);
        if (type == MessageType.Alert)
        {
            // No session keys exist yet, so only a plain (advisory) alert can be understood here.
            throw Alert.ToException(body, null, _sessionId);
        }

        if (type != expected)
        {
            throw Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, $"expected {expected}, got message type {(byte)type}");
        }

        return body;
    }

    /// <summary>
    /// ClientKey up to the Finished: <c>session_id | key_len u16 | client_key</c>, then with a client credential
    /// <c>cert_len u32 | certificate | sig_len u16 | signature</c> (the signature covers everything before it).
    /// </summary>
    private byte[] ClientKeyPart(SuiteInfo chosen, ReadOnlySpan<byte> serverHello, byte[] clientPublic)
    {
        var keyPart = new byte[Wire.SessionIdLength + 2 + clientPublic.Length];
        _sessionId.CopyTo(keyPart, 0);
        BinaryPrimitives.WriteUInt16BigEndian(keyPart.AsSpan(Wire.SessionIdLength), (ushort)clientPublic.Length);
        clientPublic.CopyTo(keyPart, Wire.SessionIdLength + 2);
        if (_options.ClientCredential is not { } credential)
        {
            return keyPart;
        }

        var certificate = credential.Certificate.Span;
        var signedPart = new byte[keyPart.Length + 4 + certificate.Length];
        keyPart.CopyTo(signedPart, 0);
        BinaryPrimitives.WriteUInt32BigEndian(signedPart.AsSpan(keyPart.Length), (uint)certificate.Length);
        certificate.CopyTo(signedPart.AsSpan(keyPart.Length + 4));
        var signature = credential.Sign(chosen, ClientCertificateVerify.Message(chosen, _clientHello, serverHello, signedPart));
        var part = new byte[signedPart.Length + 2 + signature.Length];
        signedPart.CopyTo(part, 0);
        BinaryPrimitives.WriteUInt16BigEndian(part.AsSpan(signedPart.Length), (ushort)signature.Length);
        signature.CopyTo(part, signedPart.Length + 2);
        return part;
    }

    private EphemeralKey TakeEphemeral(SuiteInfo chosen)
    {
        if (_earlyKey is { } pending && chosen.Suite == _options.Suites[0])
        {
            _earlyKey = null;

            // Started in CreateHello; by now it has usually finished, and key generation cannot block on anything.
            return pending.GetAwaiter().GetResult();
        }

        return chosen.CreateEphemeral();
    }

    private void Verify(ReadOnlySpan<byte> evidenceBytes, byte[] reportData)
    {
        var evidence = Evidence.Detect(evidenceBytes);
        var result = _verifier.Verify(evidence, _collateral, _options.TimeProvider.GetUtcNow(), _policy);
        if (!result.Succeeded)
        {
            throw new SecureChannelException(result.Failure);
        }

        var actual = result.Claims.ReportData.Span;
        bool matches = actual.Length >= reportData.Length
            && CryptographicOperations.FixedTimeEquals(actual[..reportData.Length], reportData)
            && !actual[reportData.Length..].ContainsAnyExcept((byte)0);
        if (!matches)
        {
            throw new SecureChannelException(new AttestationFailure(
                AttestationFailureCode.PolicyReportDataMismatch,
                "the evidence's report data is not the hash of this handshake's transcript and server key"));
        }

        Claims = result.Claims;
    }
}
