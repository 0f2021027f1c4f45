namespace SecGear.SecureChannel;

/// <summary>
/// What the server holds for one session: the handshake in progress, then the established session. Every use happens
/// under <see cref="Gate"/>, so one session's frames are processed one at a time while other sessions run in parallel.
/// </summary>
internal sealed class ServerSessionState : IDisposable
{
    public ServerSessionState(SuiteInfo suite, byte[] sessionId, EphemeralKey ephemeral, byte[] clientHello, byte[] serverHello, DateTimeOffset now)
    {
        Suite = suite;
        SessionId = sessionId;
        Ephemeral = ephemeral;
        ClientHello = clientHello;
        ServerHello = serverHello;
        LastActivity = now;
    }

    public Lock Gate { get; } = new();

    public SuiteInfo Suite { get; }

    public byte[] SessionId { get; }

    public EphemeralKey? Ephemeral { get; private set; }

    public byte[] ClientHello { get; }

    public byte[] ServerHello { get; }

    public ChannelSession? Session { get; private set; }

    public DateTimeOffset LastActivity { get; set; }

    /// <summary>The authenticated client's certificate (DER), empty without client authentication.</summary>
    public byte[] ClientCertificate { get; set; } = [];

    /// <summary>True once the session was removed from the server: a frame that looked it up just before must not use it.</summary>
    public bool Removed { get; private set; }

    public void Establish(ChannelSession session)
    {
        Session = session;
        Ephemeral?.Dispose();
        Ephemeral = null;
    }

    public void Dispose()
    {
        Removed = true;
        Ephemeral?.Dispose();
        Ephemeral = null;
        Session?.Dispose();
    }
}
