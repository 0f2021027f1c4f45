using System.Buffers.Binary;

namespace SecGear.SecureChannel;

/// <summary>
/// The Alert frame (type 7) a server answers a rejected message with. Body:
/// <c>alert_version u8 = 1 | protection u8 | rest</c>. Protection 0 (plain): <c>rest = session_id[16] | reason u16</c>,
/// the session id being all zeros when the rejected message named none. Protection 1 (sealed): <c>rest</c> is a
/// record body (<c>session_id | epoch | seq | ciphertext | tag</c>) whose plaintext is <c>reason u16</c>, sealed with
/// the server's send direction and type 7 in the additional data. Layouts in docs/secure-channel.md.
/// </summary>
internal static class Alert
{
    public const byte Version = 1;
    public const byte Plain = 0;
    public const byte Sealed = 1;
    public const int PrefixLength = 2;
    public const int PlainBodyLength = PrefixLength + Wire.SessionIdLength + 2;

    /// <summary>A plain alert naming <paramref name="sessionId"/> (empty: zeros).</summary>
    public static byte[] PlainFrame(ReadOnlySpan<byte> sessionId, SecureChannelFailureCode reason)
    {
        var body = new byte[PlainBodyLength];
        body[0] = Version;
        body[1] = Plain;
        if (sessionId.Length == Wire.SessionIdLength)
        {
            sessionId.CopyTo(body.AsSpan(PrefixLength));
        }

        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(PrefixLength + Wire.SessionIdLength), (ushort)reason);
        return Wire.Frame(MessageType.Alert, body);
    }

    /// <summary>Turns a sealed record frame of type Alert into an alert frame by inserting the version and protection bytes.</summary>
    public static byte[] SealedFrame(byte[] sealedRecordFrame)
    {
        var frame = new byte[sealedRecordFrame.Length + PrefixLength];
        frame[0] = (byte)MessageType.Alert;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), frame.Length - Wire.FrameHeaderLength);
        frame[Wire.FrameHeaderLength] = Version;
        frame[Wire.FrameHeaderLength + 1] = Sealed;
        sealedRecordFrame.AsSpan(Wire.FrameHeaderLength).CopyTo(frame.AsSpan(Wire.FrameHeaderLength + PrefixLength));
        return frame;
    }

    public static byte[] ReasonBytes(SecureChannelFailureCode reason)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)reason);
        return bytes;
    }

    /// <summary>
    /// The exception a client raises for an alert body. <paramref name="session"/> opens a sealed alert (null during the
    /// handshake, when only plain alerts can be understood); <paramref name="ownSessionId"/> is the client's session id
    /// once known (a plain alert must name it or no session).
    /// </summary>
    public static SecureChannelException ToException(ReadOnlySpan<byte> body, ChannelSession? session, ReadOnlySpan<byte> ownSessionId)
    {
        try
        {
            return Read(body, session, ownSessionId);
        }
        catch (SecureChannelException ex)
        {
            // An alert that cannot be read or opened is itself the failure.
            return ex;
        }
        finally
        {
            // Whatever the alert says, and even when it cannot be read, the session ends here.
            session?.Close();
        }
    }

    private static SecureChannelException Read(ReadOnlySpan<byte> body, ChannelSession? session, ReadOnlySpan<byte> ownSessionId)
    {
        var reader = new BigEndianReader(body, "Alert");
        byte version = reader.U8();
        if (version != Version)
        {
            return Wire.Fail(SecureChannelFailureCode.UnsupportedVersion, $"the server sent an alert of version {version}; this client reads version {Version}");
        }

        byte protection = reader.U8();
        if (protection == Sealed)
        {
            if (session is null)
            {
                return Wire.Fail(SecureChannelFailureCode.UnexpectedMessage, "a sealed alert before the session keys exist");
            }

            // Opening checks the session id, epoch, sequence and tag exactly as for a record.
            var plaintext = session.OpenAlert(body[PrefixLength..]);
            return plaintext.Length == 2
                ? Reported(BinaryPrimitives.ReadUInt16BigEndian(plaintext), authenticated: true)
                : Wire.Fail(SecureChannelFailureCode.MalformedMessage, $"a sealed alert carries {plaintext.Length} bytes; a reason is 2");
        }

        if (protection != Plain)
        {
            return Wire.Fail(SecureChannelFailureCode.MalformedMessage, $"alert protection {protection} is neither plain (0) nor sealed (1)");
        }

        var named = reader.Bytes(Wire.SessionIdLength);
        ushort code = reader.U16();
        reader.End();
        if (named.ContainsAnyExcept((byte)0) && !named.SequenceEqual(ownSessionId))
        {
            return Wire.Fail(SecureChannelFailureCode.CrossSession, "the server's alert names another session");
        }

        return Reported(code, authenticated: false);
    }

    private static SecureChannelException Reported(ushort code, bool authenticated)
    {
        var reason = (SecureChannelFailureCode)code;
        if (!Enum.IsDefined(reason))
        {
            return Wire.Fail(SecureChannelFailureCode.MalformedMessage, $"the server sent an alert with the unknown reason code {code}");
        }

        return new SecureChannelException(reason, authenticated, authenticated
            ? "the server rejected this session's last message (authenticated alert)"
            : "the server reports it rejected this session's last message (plain alert: advisory, the host could have forged it)");
    }
}
