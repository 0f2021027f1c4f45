using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>
/// One direction of a session's record protection: the traffic secret of the current key epoch, its AEAD key (AES-256-GCM or
/// SM4-GCM) and IV, and the next sequence number. Sequence numbers run on across epochs and are never reused.
/// </summary>
internal sealed class RecordDirection : IDisposable
{
    private readonly SuiteInfo _suite;
    private byte[] _secret;
    private RecordCipher _aead;
    private byte[] _iv;

    public RecordDirection(SuiteInfo suite, byte[] trafficSecret)
    {
        _suite = suite;
        _secret = trafficSecret;
        (_aead, _iv) = Keys(suite, trafficSecret);
    }

    public uint Epoch { get; private set; }

    public ulong Sequence { get; private set; }

    public long RecordsInEpoch { get; private set; }

    public long BytesInEpoch { get; private set; }

    /// <summary>Moves to the next epoch: secret' = HKDF-Expand(secret, "next"), forgetting the old key.</summary>
    public void Ratchet()
    {
        var next = NextSecret(_suite, _secret);
        CryptographicOperations.ZeroMemory(_secret);
        _aead.Dispose();
        _secret = next;
        (_aead, _iv) = Keys(_suite, next);
        Epoch++;
        RecordsInEpoch = 0;
        BytesInEpoch = 0;
    }

    /// <summary>Encrypts a record into a whole frame: frame header, then session id | epoch | sequence | ciphertext | tag.</summary>
    public byte[] Seal(MessageType type, ReadOnlySpan<byte> sessionId, ReadOnlySpan<byte> plaintext)
    {
        if (Sequence == ulong.MaxValue)
        {
            throw Wire.Fail(SecureChannelFailureCode.SequenceExhausted, "the send sequence number space is used up");
        }

        // Sealed in place inside the frame so a 64 KiB record is not copied again.
        var frame = new byte[Wire.FrameHeaderLength + Wire.RecordOverhead + plaintext.Length];
        frame[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), frame.Length - Wire.FrameHeaderLength);
        var body = frame.AsSpan(Wire.FrameHeaderLength);
        WriteHeader(body, sessionId, Epoch, Sequence);
        Span<byte> nonce = stackalloc byte[12];
        Nonce(_iv, Sequence, nonce);
        Span<byte> aad = stackalloc byte[1 + Wire.RecordHeaderLength];
        Aad(type, body[..Wire.RecordHeaderLength], aad);
        _aead.Seal(nonce, plaintext, body[Wire.RecordHeaderLength..], aad);
        Sequence++;
        RecordsInEpoch++;
        BytesInEpoch += plaintext.Length;
        return frame;
    }

    /// <summary>Checks and decrypts a record body; the sequence number must be exactly the next expected one.</summary>
    public byte[] Open(MessageType type, ReadOnlySpan<byte> sessionId, ReadOnlySpan<byte> body)
    {
        if (body.Length < Wire.RecordOverhead)
        {
            throw Wire.Fail(SecureChannelFailureCode.Truncated, $"a record is at least {Wire.RecordOverhead} bytes; got {body.Length}");
        }

        var reader = new BigEndianReader(body, "record");
        var recordSession = reader.Bytes(Wire.SessionIdLength);
        uint epoch = reader.U32();
        ulong sequence = reader.U64();
        if (!recordSession.SequenceEqual(sessionId))
        {
            throw Wire.Fail(SecureChannelFailureCode.CrossSession, "the record carries another session's id");
        }

        if (sequence < Sequence)
        {
            throw Wire.Fail(SecureChannelFailureCode.Replayed, $"record sequence {sequence} was already received; expected {Sequence}");
        }

        if (sequence > Sequence)
        {
            throw Wire.Fail(SecureChannelFailureCode.Reordered, $"record sequence {sequence} is ahead of the expected {Sequence}");
        }

        if (epoch != Epoch && epoch != Epoch + 1)
        {
            throw Wire.Fail(SecureChannelFailureCode.UnexpectedEpoch, $"record key epoch {epoch}; expected {Epoch} or {Epoch + 1}");
        }

        Span<byte> nonce = stackalloc byte[12];
        Span<byte> aad = stackalloc byte[1 + Wire.RecordHeaderLength];
        Aad(type, body[..Wire.RecordHeaderLength], aad);
        var sealedInput = body[Wire.RecordHeaderLength..];
        var plaintext = new byte[sealedInput.Length - Wire.TagLength];
        if (epoch == Epoch)
        {
            Nonce(_iv, sequence, nonce);
            Decrypt(_aead, nonce, sealedInput, plaintext, aad);
        }
        else
        {
            // The sender moved to the next epoch: the new key is committed only once a record under it authenticates.
            var next = NextSecret(_suite, _secret);
            var (nextAead, nextIv) = Keys(_suite, next);
            try
            {
                Nonce(nextIv, sequence, nonce);
                Decrypt(nextAead, nonce, sealedInput, plaintext, aad);
            }
            finally
            {
                nextAead.Dispose();
                CryptographicOperations.ZeroMemory(next);
            }

            Ratchet();
        }

        Sequence++;
        RecordsInEpoch++;
        BytesInEpoch += plaintext.Length;
        return plaintext;
    }

    public void Dispose()
    {
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_secret);
        CryptographicOperations.ZeroMemory(_iv);
    }

    private static void Decrypt(RecordCipher aead, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedInput, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        if (!aead.Open(nonce, sealedInput, plaintext, aad))
        {
            throw Wire.Fail(SecureChannelFailureCode.AuthenticationFailed, "the record does not authenticate under the session key");
        }
    }

    private static void WriteHeader(Span<byte> body, ReadOnlySpan<byte> sessionId, uint epoch, ulong sequence)
    {
        sessionId.CopyTo(body);
        BinaryPrimitives.WriteUInt32BigEndian(body[Wire.SessionIdLength..], epoch);
        BinaryPrimitives.WriteUInt64BigEndian(body[(Wire.SessionIdLength + 4)..], sequence);
    }

    private static void Aad(MessageType type, ReadOnlySpan<byte> header, Span<byte> aad)
    {
        aad[0] = (byte)type;
        header.CopyTo(aad[1..]);
    }

    private static void Nonce(ReadOnlySpan<byte> iv, ulong sequence, Span<byte> nonce)
    {
        iv.CopyTo(nonce);
        ulong mixed = BinaryPrimitives.ReadUInt64BigEndian(nonce[4..]) ^ sequence;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], mixed);
    }

    private static byte[] NextSecret(SuiteInfo suite, byte[] secret) => KeySchedule.Expand(suite, secret, "next", [], suite.HashLength);

    private static (RecordCipher Aead, byte[] Iv) Keys(SuiteInfo suite, byte[] secret)
    {
        var key = KeySchedule.Expand(suite, secret, "key", [], suite.CipherKeyLength);
        try
        {
            return (suite.CreateCipher(key), KeySchedule.Expand(suite, secret, "iv", [], RecordCipher.NonceLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
