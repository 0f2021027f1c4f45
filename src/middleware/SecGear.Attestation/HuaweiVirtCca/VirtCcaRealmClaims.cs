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

    public static CcaRealmClaims Read(CborReader reader)
    {
        string? hashAlgorithm = null, rakHashAlgorithm = null, profile = null;
        byte[]? challenge = null, personalization = null, rak = null, rim = null;
        List<byte[]>? rems = null;
        int count = reader.ReadStartMap() ?? throw new FormatException("realm claims must be a definite-length map");
        for (int i = 0; i < count; i++)
        {
            switch (reader.ReadInt32())
            {
                case 10: challenge = Bytes(reader, 64, 64, "realm challenge"); break;
                case 44235: personalization = Bytes(reader, 64, 64, "personalization value"); break;
                case 44236: hashAlgorithm = Name(reader, "realm hash algorithm"); break;
                case 44237: rak = Bytes(reader, 1, MaxRak, "RAK"); break;
                case 44238: rim = Bytes(reader, 32, 64, "RIM"); break;
                case 44239: rems = Rems(reader); break;
                case 44240: rakHashAlgorithm = Name(reader, "RAK hash algorithm"); break;
                case 265: profile = Name(reader, "profile"); break;
                default: reader.SkipValue(); break;
            }
        }

        reader.ReadEndMap();
        if (reader.BytesRemaining != 0)
        {
            throw new FormatException("bytes follow the realm claims");
        }

        return new CcaRealmClaims
        {
            Challenge = challenge ?? throw Missing("realm challenge (10)"),
            PersonalizationValue = personalization ?? throw Missing("personalization value (44235)"),
            HashAlgorithm = hashAlgorithm ?? throw Missing("realm hash algorithm (44236)"),
            PublicKey = rak ?? throw Missing("RAK (44237)"),
            InitialMeasurement = rim ?? throw Missing("RIM (44238)"),
            ExtensibleMeasurements = rems ?? throw Missing("REMs (44239)"),
            PublicKeyHashAlgorithm = rakHashAlgorithm ?? throw Missing("RAK hash algorithm (44240)"),
            Profile = profile,
        };
    }

    /// <summary>A short ASCII name given as text or as a byte string.</summary>
    private static string Name(CborReader reader, string name)
    {
        var text = reader.PeekState() == CborReaderState.ByteString ? Encoding.ASCII.GetString(Bytes(reader, 1, 64, name)) : reader.ReadTextString();
        return text.Length is >= 1 and <= 64 && text.All(c => c is >= ' ' and <= '~')
            ? text
            : throw new FormatException($"{name} is not a short printable name");
    }

    // The claim encodings virtCCA shares with Arm CCA are read by the CCA token's own readers.
    private static List<byte[]> Rems(CborReader reader) => CcaToken.ReadRems(reader);

    internal static byte[] Bytes(CborReader reader, int min, int max, string name) => CcaToken.Bytes(reader, min, max, name);

    private static FormatException Missing(string claim) => CcaToken.Missing(claim);
}
