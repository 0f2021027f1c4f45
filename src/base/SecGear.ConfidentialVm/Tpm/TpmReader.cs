using System.Buffers.Binary;

namespace SecGear.ConfidentialVm.Tpm;

/// <summary>Reads a TPM 2.0 response: checks the header and response code, then reads fields bounds-checked.</summary>
public sealed class TpmReader
{
    private readonly byte[] _data;
    private int _offset;

    /// <summary>Checks <paramref name="response"/>'s header and response code; positions after the header.</summary>
    /// <exception cref="TpmException">Malformed, or the TPM answered an error code.</exception>
    public TpmReader(byte[] response, string command)
    {
        _data = response;
        if (response.Length < 10)
        {
            throw new TpmException($"{command}: the response is {response.Length} bytes; expected at least 10");
        }

        uint size = BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(2));
        uint code = BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(6));
        if (size != response.Length)
        {
            throw new TpmException($"{command}: the response says {size} bytes and is {response.Length}");
        }

        if (code != 0)
        {
            throw new TpmException($"{command}: the TPM answered response code 0x{code:x}", code);
        }

        Sessions = BinaryPrimitives.ReadUInt16BigEndian(response) == TpmConstants.Sessions;
        _offset = 10;
    }

    /// <summary>True when the response has a parameter-size field and authorization area.</summary>
    public bool Sessions { get; }

    /// <summary>Reads a u8.</summary>
    public byte U8() => Take(1)[0];

    /// <summary>Reads a u16.</summary>
    public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    /// <summary>Reads a u32.</summary>
    public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>Reads a TPM2B.</summary>
    public byte[] Sized() => Take(U16()).ToArray();

    /// <summary>Reads <paramref name="count"/> bytes.</summary>
    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _data.Length - _offset < count)
        {
            throw new TpmException($"a TPM response field of {count} bytes runs past the end ({_data.Length - _offset} left)");
        }

        var span = _data.AsSpan(_offset, count);
        _offset += count;
        return span;
    }

    /// <summary>Skips the parameter-size field of a response with sessions.</summary>
    public TpmReader Parameters()
    {
        if (Sessions)
        {
            U32();
        }

        return this;
    }
}
