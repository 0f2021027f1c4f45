using System.Formats.Cbor;
using System.Text;
using SecGear.Attestation.ArmCca;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// Reads virtCCA realm claims into <see cref="CcaRealmClaims"/>. virtCCA differs from the Arm CCA encoding in ways
/// seen in the recorded token: the claims map is wrapped once more in a byte string inside the COSE payload, the hash
/// algorithm claims (44236, 44240) are byte strings rather than text, and the RAK (44237) is a DER SubjectPublicKeyInfo.
/// </summary>
internal static class VirtCcaRealmClaims
{
    private const int MaxRak = 2048;

    /// <summary>The reader for a COSE payload: the claims map itself, or the map inside one byte-string wrapper.</summary>
    public static CborReader Claims(ReadOnlyMemory<byte> payload)
    {
        var reader = new CborReader(payload, CborConformanceMode.Strict);
        if (reader.PeekState() != CborReaderState.ByteString)
        {
            return reader;
        }

        var inner = reader.ReadByteString();
        if (reader.BytesRemaining != 0)
        {
            throw new FormatException("bytes follow the wrapped claims");
        }

        return new CborReader(inner, CborConformanceMode.Strict);
    }

    /// <summary>The realm claims, read by the CCA token's reader with virtCCA's name encoding and RAK size.</summary>
    public static CcaRealmClaims Read(CborReader reader) => CcaToken.ReadRealm(reader, Name, MaxRak);

    /// <summary>A short ASCII name given as text or as a byte string.</summary>
    private static string Name(CborReader reader, string name)
    {
        var text = reader.PeekState() == CborReaderState.ByteString ? Encoding.ASCII.GetString(Bytes(reader, 1, 64, name)) : reader.ReadTextString();
        return text.Length is >= 1 and <= 64 && text.All(c => c is >= ' ' and <= '~')
            ? text
            : throw new FormatException($"{name} is not a short printable name");
    }

    // The claim encodings virtCCA shares with Arm CCA are read by the CCA token's own readers.
    internal static byte[] Bytes(CborReader reader, int min, int max, string name) => CcaToken.Bytes(reader, min, max, name);

}
