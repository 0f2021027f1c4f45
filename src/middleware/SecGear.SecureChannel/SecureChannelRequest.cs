namespace SecGear.SecureChannel;

/// <summary>One application message received by a <see cref="SecureChannelServer"/>, with the session it came on.</summary>
public sealed class SecureChannelRequest
{
    internal SecureChannelRequest(ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> sessionId, SecureChannelSuite suite, ReadOnlyMemory<byte> clientCertificate)
    {
        Message = message;
        SessionId = sessionId;
        Suite = suite;
        ClientCertificate = clientCertificate;
    }

    /// <summary>The decrypted message.</summary>
    public ReadOnlyMemory<byte> Message { get; }

    /// <summary>The 16-byte id of the session the message arrived on.</summary>
    public ReadOnlyMemory<byte> SessionId { get; }

    /// <summary>The session's suite.</summary>
    public SecureChannelSuite Suite { get; }

    /// <summary>
    /// The client's certificate (DER), verified by the server's <see cref="SecureChannelOptions.ClientCertificatePolicy"/>
    /// and proven by the client's signature over the handshake; empty when the server does not authenticate clients.
    /// </summary>
    public ReadOnlyMemory<byte> ClientCertificate { get; }
}
