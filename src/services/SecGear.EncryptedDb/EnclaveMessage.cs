namespace SecGear.EncryptedDb;

/// <summary>
/// Application messages from the client to the query enclave, carried as secure channel records (so only the
/// enclave reads them). The first byte is the kind; every reply is <c>status u8 (1 ok, 0 refused) | message</c>.
/// <list type="bullet">
/// <item><c>1 Keys</c>: <c>count u16 | (name text | cek[32])*</c>; the enclave keeps them for this channel session only.</item>
/// <item><c>2 Prepare</c>: a <see cref="QueryPlan"/>; rows for it may then arrive through the query service.</item>
/// <item><c>3 End</c>: forget this session's keys and queries now.</item>
/// </list>
/// </summary>
public static class EnclaveMessage
{
    /// <summary>Kind byte of a key delivery.</summary>
    public const byte Keys = 1;

    /// <summary>Kind byte of a plan.</summary>
    public const byte Prepare = 2;

    /// <summary>Kind byte of the end of the session.</summary>
    public const byte End = 3;

    /// <summary>Most keys in one message.</summary>
    public const int MaxKeys = 256;

    /// <summary>Encodes a key delivery.</summary>
    public static byte[] EncodeKeys(IReadOnlyDictionary<string, byte[]> keys)
    {
        var w = new BigEndianWriter();
        w.U8(Keys);
        w.U16(keys.Count);
        foreach ((string name, byte[] key) in keys)
        {
            w.Text(name);
            w.Raw(key);
        }

        return w.ToArray();
    }

    /// <summary>Encodes a plan.</summary>
    public static byte[] EncodePrepare(QueryPlan plan)
    {
        byte[] body = plan.Serialize();
        byte[] message = new byte[1 + body.Length];
        message[0] = Prepare;
        body.CopyTo(message, 1);
        return message;
    }

    /// <summary>An accepting reply.</summary>
    public static byte[] Ok() => [1];

    /// <summary>A refusing reply with a message that names no value or key.</summary>
    public static byte[] Refused(EncryptedDbException ex)
    {
        var w = new BigEndianWriter();
        w.U8(0);
        w.U16((int)ex.Code);
        w.Text(ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message);
        return w.ToArray();
    }

    /// <summary>Throws the enclave's refusal, if the reply is one.</summary>
    public static void CheckReply(byte[]? reply)
    {
        if (reply is null || reply.Length == 0)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, "the enclave closed the channel without answering");
        }

        if (reply[0] == 1 && reply.Length == 1)
        {
            return;
        }

        var r = new BigEndianReader(reply);
        if (r.U8() != 0)
        {
            throw BigEndianReader.Malformed("an enclave reply with an unknown status");
        }

        var code = (EncryptedDbFailureCode)r.U16();
        string message = r.Text();
        throw new EncryptedDbException(Enum.IsDefined(code) ? code : EncryptedDbFailureCode.ServiceFailure, $"the enclave refused: {message}");
    }
}
