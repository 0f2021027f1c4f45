namespace SecGear.SecureChannel;

/// <summary>What the server holds for one session: the handshake in progress, then the established session.</summary>
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

    public SuiteInfo Suite { get; }

    public byte[] SessionId { get; }

    public EphemeralKey? Ephemeral { get; private set; }

    public byte[] ClientHello { get; }

    public byte[] ServerHello { get; }

    public ChannelSession? Session { get; private set; }

    public DateTimeOffset LastActivity { get; set; }

    public void Establish(ChannelSession session)
    {
        Session = session;
        Ephemeral?.Dispose();
        Ephemeral = null;
    }

    public void Dispose()
    {
        Ephemeral?.Dispose();
        Ephemeral = null;
        Session?.Dispose();
    }
}
