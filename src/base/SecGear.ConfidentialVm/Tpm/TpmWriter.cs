using System.Buffers.Binary;

namespace SecGear.ConfidentialVm.Tpm;

/// <summary>Builds a TPM 2.0 command (big-endian, TPM 2.0 Part 3 layouts) with an optional password session.</summary>
public sealed class TpmWriter
{
    private readonly List<byte> _handles = [];
    private readonly List<byte> _parameters = [];
    private readonly uint _code;
    private byte[]? _password;

    /// <summary>Starts command <paramref name="code"/>.</summary>
    public TpmWriter(uint code) => _code = code;

    /// <summary>Adds a handle.</summary>
    public TpmWriter Handle(uint handle)
    {
        Append(_handles, handle, 4);
        return this;
    }

    /// <summary>Authorizes the command with one password session (TPM_RS_PW) and <paramref name="password"/> (empty for none).</summary>
    public TpmWriter PasswordSession(ReadOnlySpan<byte> password = default)
    {
        _password = password.ToArray();
        return this;
    }

    /// <summary>Adds a u8 parameter.</summary>
    public TpmWriter U8(byte value)
    {
        _parameters.Add(value);
        return this;
    }

    /// <summary>Adds a u16 parameter.</summary>
    public TpmWriter U16(ushort value)
    {
        Append(_parameters, value, 2);
        return this;
    }

    /// <summary>Adds a u32 parameter.</summary>
    public TpmWriter U32(uint value)
    {
        Append(_parameters, value, 4);
        return this;
    }

    /// <summary>Adds raw bytes.</summary>
    public TpmWriter Bytes(ReadOnlySpan<byte> value)
    {
        _parameters.AddRange(value.ToArray());
        return this;
    }

    /// <summary>Adds a TPM2B (u16 size, bytes).</summary>
    public TpmWriter Sized(ReadOnlySpan<byte> value)
    {
        U16((ushort)value.Length);
        return Bytes(value);
    }

    /// <summary>Adds a TPML_PCR_SELECTION of one bank selecting <paramref name="pcrs"/> (3-byte bitmap, PCRs 0..23).</summary>
    public TpmWriter PcrSelection(ushort hash, IEnumerable<int> pcrs)
    {
        byte[] bitmap = new byte[3];
        foreach (int pcr in pcrs)
        {
            bitmap[pcr / 8] |= (byte)(1 << (pcr % 8));
        }

        return U32(1).U16(hash).U8(3).Bytes(bitmap);
    }

    /// <summary>The command bytes.</summary>
    public byte[] ToArray()
    {
        var body = new List<byte>(_handles);
        if (_password is not null)
        {
            var auth = new List<byte>();
            Append(auth, TpmConstants.PasswordSession, 4);
            Append(auth, 0, 2);                      // nonce: empty
            auth.Add(1);                             // continueSession
            Append(auth, (uint)_password.Length, 2);
            auth.AddRange(_password);
            Append(body, (uint)auth.Count, 4);
            body.AddRange(auth);
        }

        body.AddRange(_parameters);
        byte[] command = new byte[10 + body.Count];
        BinaryPrimitives.WriteUInt16BigEndian(command, _password is null ? TpmConstants.NoSessions : TpmConstants.Sessions);
        BinaryPrimitives.WriteUInt32BigEndian(command.AsSpan(2), (uint)command.Length);
        BinaryPrimitives.WriteUInt32BigEndian(command.AsSpan(6), _code);
        body.CopyTo(command, 10);
        return command;
    }

    private static void Append(List<byte> list, uint value, int size)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            list.Add((byte)(value >> (8 * i)));
        }
    }
}
