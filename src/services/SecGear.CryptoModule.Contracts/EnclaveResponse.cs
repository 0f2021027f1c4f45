using System.Buffers.Binary;

namespace SecGear.CryptoModule;

/// <summary>
/// One response from the enclave: <c>status(1) first(4+n) second(4+n)</c>, little-endian lengths, nothing after.
/// On failure <c>first</c> is a UTF-8 reason that names no secret. The host treats these bytes as hostile too.
/// </summary>
public readonly ref struct EnclaveResponse
{
    /// <summary>Bytes of a response around its two results.</summary>
    public const int Overhead = 9;

    /// <summary>Where the first result starts: after the status and its length.</summary>
    public const int FirstOffset = 5;

    /// <summary>Success or the refusal.</summary>
    public EnclaveStatus Status { get; init; }

    /// <summary>The first result (or the reason).</summary>
    public ReadOnlySpan<byte> First { get; init; }

    /// <summary>The second result (often empty).</summary>
    public ReadOnlySpan<byte> Second { get; init; }

    /// <summary>Writes a response; returns its length, or minus the length needed when <paramref name="destination"/> is too small.</summary>
    public static int Write(Span<byte> destination, EnclaveStatus status, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second = default)
    {
        int length = Overhead + first.Length + second.Length;
        if (destination.Length < length)
        {
            return -length;
        }

        destination[0] = (byte)status;
        BinaryPrimitives.WriteInt32LittleEndian(destination[1..], first.Length);
        first.CopyTo(destination[5..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(5 + first.Length)..], second.Length);
        second.CopyTo(destination[(9 + first.Length)..]);
        return length;
    }

    /// <summary>Parses a response; false when a length runs past the end or bytes follow.</summary>
    public static bool TryParse(ReadOnlySpan<byte> source, out EnclaveResponse response)
    {
        response = default;
        if (source.Length < Overhead)
        {
            return false;
        }

        int first = BinaryPrimitives.ReadInt32LittleEndian(source[1..]);
        if (first < 0 || first > source.Length - Overhead)
        {
            return false;
        }

        int second = BinaryPrimitives.ReadInt32LittleEndian(source[(5 + first)..]);
        if (second < 0 || second != source.Length - Overhead - first)
        {
            return false;
        }

        response = new EnclaveResponse
        {
            Status = (EnclaveStatus)source[0],
            First = source.Slice(5, first),
            Second = source.Slice(9 + first, second),
        };
        return true;
    }
}
