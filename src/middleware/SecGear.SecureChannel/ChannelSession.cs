namespace SecGear.SecureChannel;

/// <summary>
/// An established session: its id, one <see cref="RecordDirection"/> per direction and the rekey limits. Any failure
/// closes it for good. Thread-safe: a send and a receive may race with a failure-triggered close, so calls are serialised
/// and keys are never used after they are zeroed.
/// </summary>
internal sealed class ChannelSession : IDisposable
{
    private readonly RecordDirection _send;
    private readonly RecordDirection _receive;
    private readonly SecureChannelOptions _options;
    private readonly bool _sealsAlerts;
    private readonly Lock _gate = new();

    /// <summary>Creates a session. With <c>sealsAlerts</c> (the server) a failed open attaches a sealed Alert frame for the peer to its exception.</summary>
    public ChannelSession(SuiteInfo suite, byte[] sessionId, byte[] sendSecret, byte[] receiveSecret, SecureChannelOptions options, bool sealsAlerts = false)
    {
        _sealsAlerts = sealsAlerts;
        Suite = suite.Suite;
        SessionId = sessionId;
        _send = new RecordDirection(suite, sendSecret);
        _receive = new RecordDirection(suite, receiveSecret);
        _options = options;
    }

    public SecureChannelSuite Suite { get; }

    public byte[] SessionId { get; }

    public bool IsClosed { get; private set; }

    public uint SendEpoch => _send.Epoch;

    public uint ReceiveEpoch => _receive.Epoch;

    /// <summary>Protects application data as a record frame, moving to the next key epoch first when a limit is reached.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        lock (_gate)
        {
            return SealCore(plaintext);
        }
    }

    /// <summary>The authenticated close frame; the session is closed afterwards.</summary>
    public byte[] SealClose()
    {
        lock (_gate)
        {
            return SealCloseCore();
        }
    }

    /// <summary>Opens a record or close frame body. Returns null for an authenticated close (the session is then closed).</summary>
    public byte[]? Open(MessageType type, ReadOnlySpan<byte> body)
    {
        lock (_gate)
        {
            return OpenCore(type, body);
        }
    }

    /// <summary>
    /// Opens the record part of a sealed Alert (client side) and closes the session; returns the alert plaintext. A sealed
    /// alert that does not open fails exactly like a bad record.
    /// </summary>
    public byte[] OpenAlert(ReadOnlySpan<byte> body)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            try
            {
                return _receive.Open(MessageType.Alert, SessionId, body);
            }
            finally
            {
                CloseCore();
            }
        }
    }

    /// <summary>Attaches to <paramref name="failure"/> an Alert frame sealed under this session's send key, then closes the session.</summary>
    public SecureChannelException FailWithAlert(SecureChannelException failure)
    {
        lock (_gate)
        {
            return Fail(failure);
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            CloseCore();
        }
    }

    public void Dispose() => Close();

    private byte[] SealCore(ReadOnlySpan<byte> plaintext)
    {
        ThrowIfClosed();
        if (plaintext.Length > _options.MaxRecordPayload)
        {
            throw new ArgumentException($"a record carries at most {_options.MaxRecordPayload} bytes; got {plaintext.Length}", nameof(plaintext));
        }

        try
        {
            if (_send.RecordsInEpoch >= _options.RekeyAfterRecords || _send.BytesInEpoch >= _options.RekeyAfterBytes)
            {
                _send.Ratchet();
            }

            return _send.Seal(MessageType.Record, SessionId, plaintext);
        }
        catch (SecureChannelException)
        {
            CloseCore();
            throw;
        }
    }

    private byte[] SealCloseCore()
    {
        ThrowIfClosed();
        try
        {
            return _send.Seal(MessageType.Close, SessionId, []);
        }
        finally
        {
            CloseCore();
        }
    }

    private byte[]? OpenCore(MessageType type, ReadOnlySpan<byte> body)
    {
        ThrowIfClosed();
        if (type is not (MessageType.Record or MessageType.Close))
        {
            throw Fail(Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, $"a {type} message after the handshake"));
        }

        if (body.Length > Wire.RecordOverhead + _options.MaxRecordPayload)
        {
            throw Fail(Wire.Fail(SecureChannelFailureCode.RecordTooLarge, $"the record carries {body.Length - Wire.RecordOverhead} bytes; the limit is {_options.MaxRecordPayload}"));
        }

        byte[] plaintext;
        try
        {
            plaintext = _receive.Open(type, SessionId, body);
        }
        catch (SecureChannelException ex)
        {
            throw Fail(ex);
        }

        if (type == MessageType.Close)
        {
            if (plaintext.Length != 0)
            {
                throw Fail(Wire.Fail(SecureChannelFailureCode.MalformedMessage, "a close record carries data"));
            }

            CloseCore();
            return null;
        }

        return plaintext;
    }

    /// <summary>Seals the failure's reason for the peer (server side, keys still intact), then closes; returns the failure.</summary>
    private SecureChannelException Fail(SecureChannelException failure)
    {
        if (_sealsAlerts && !IsClosed && failure.AlertFrame.IsEmpty && _send.Sequence != ulong.MaxValue)
        {
            // Under the current epoch even past a rekey limit: it is the last record this direction ever sends.
            failure.AlertFrame = Alert.SealedFrame(_send.Seal(MessageType.Alert, SessionId, Alert.ReasonBytes(failure.Reason)));
        }

        CloseCore();
        return failure;
    }

    private void CloseCore()
    {
        if (!IsClosed)
        {
            IsClosed = true;
            _send.Dispose();
            _receive.Dispose();
        }
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw Wire.Fail(SecureChannelFailureCode.SessionClosed, "the session is closed");
        }
    }
}
