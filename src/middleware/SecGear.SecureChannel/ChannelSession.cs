namespace SecGear.SecureChannel;

/// <summary>
/// An established session: its id, one <see cref="RecordDirection"/> per direction and the rekey limits. Any failure
/// closes it for good. Thread-safe: a send and a receive may race with a failure-triggered close, so calls are serialised
/// and keys are never used after they are zeroed.
/// </summary>
internal sealed class ChannelSession : IDisposable
{
    private readonly RecordDirection send;
    private readonly RecordDirection receive;
    private readonly SecureChannelOptions options;
    private readonly bool sealsAlerts;
    private readonly Lock gate = new();

    /// <summary>Creates a session. With <c>sealsAlerts</c> (the server) a failed open attaches a sealed Alert frame for the peer to its exception.</summary>
    public ChannelSession(SuiteInfo suite, byte[] sessionId, byte[] sendSecret, byte[] receiveSecret, SecureChannelOptions options, bool sealsAlerts = false)
    {
        this.sealsAlerts = sealsAlerts;
        Suite = suite.Suite;
        SessionId = sessionId;
        send = new RecordDirection(suite, sendSecret);
        receive = new RecordDirection(suite, receiveSecret);
        this.options = options;
    }

    public SecureChannelSuite Suite { get; }

    public byte[] SessionId { get; }

    public bool IsClosed { get; private set; }

    public uint SendEpoch => send.Epoch;

    public uint ReceiveEpoch => receive.Epoch;

    /// <summary>Protects application data as a record frame, moving to the next key epoch first when a limit is reached.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plaintext)
    {
        lock (gate)
        {
            return SealCore(plaintext);
        }
    }

    /// <summary>The authenticated close frame; the session is closed afterwards.</summary>
    public byte[] SealClose()
    {
        lock (gate)
        {
            return SealCloseCore();
        }
    }

    /// <summary>Opens a record or close frame body. Returns null for an authenticated close (the session is then closed).</summary>
    public byte[]? Open(MessageType type, ReadOnlySpan<byte> body)
    {
        lock (gate)
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
        lock (gate)
        {
            ThrowIfClosed();
            try
            {
                return receive.Open(MessageType.Alert, SessionId, body);
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
        lock (gate)
        {
            return Fail(failure);
        }
    }

    public void Close()
    {
        lock (gate)
        {
            CloseCore();
        }
    }

    public void Dispose() => Close();

    private byte[] SealCore(ReadOnlySpan<byte> plaintext)
    {
        ThrowIfClosed();
        if (plaintext.Length > options.MaxRecordPayload)
        {
            throw new ArgumentException($"a record carries at most {options.MaxRecordPayload} bytes; got {plaintext.Length}", nameof(plaintext));
        }

        try
        {
            if (send.RecordsInEpoch >= options.RekeyAfterRecords || send.BytesInEpoch >= options.RekeyAfterBytes)
            {
                send.Ratchet();
            }

            return send.Seal(MessageType.Record, SessionId, plaintext);
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
            return send.Seal(MessageType.Close, SessionId, []);
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
            throw Fail(Wire.Fail(SecureChannelFailureReason.UnexpectedMessage, $"a {type} message after the handshake"));
        }

        if (body.Length > Wire.RecordOverhead + options.MaxRecordPayload)
        {
            throw Fail(Wire.Fail(SecureChannelFailureReason.RecordTooLarge, $"the record carries {body.Length - Wire.RecordOverhead} bytes; the limit is {options.MaxRecordPayload}"));
        }

        byte[] plaintext;
        try
        {
            plaintext = receive.Open(type, SessionId, body);
        }
        catch (SecureChannelException ex)
        {
            throw Fail(ex);
        }

        if (type == MessageType.Close)
        {
            if (plaintext.Length != 0)
            {
                throw Fail(Wire.Fail(SecureChannelFailureReason.MalformedMessage, "a close record carries data"));
            }

            CloseCore();
            return null;
        }

        return plaintext;
    }

    /// <summary>Seals the failure's reason for the peer (server side, keys still intact), then closes; returns the failure.</summary>
    private SecureChannelException Fail(SecureChannelException failure)
    {
        if (sealsAlerts && !IsClosed && failure.AlertFrame.IsEmpty && send.Sequence != ulong.MaxValue)
        {
            // Under the current epoch even past a rekey limit: it is the last record this direction ever sends.
            failure.AlertFrame = Alert.SealedFrame(send.Seal(MessageType.Alert, SessionId, Alert.ReasonBytes(failure.Reason)));
        }

        CloseCore();
        return failure;
    }

    private void CloseCore()
    {
        if (!IsClosed)
        {
            IsClosed = true;
            send.Dispose();
            receive.Dispose();
        }
    }

    private void ThrowIfClosed()
    {
        if (IsClosed)
        {
            throw Wire.Fail(SecureChannelFailureReason.SessionClosed, "the session is closed");
        }
    }
}
