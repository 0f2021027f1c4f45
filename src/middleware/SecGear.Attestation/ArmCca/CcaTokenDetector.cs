namespace SecGear.Attestation.ArmCca;

/// <summary>Recognises a CCA token by content: CBOR tag 399 (<c>D9 01 8F</c>) followed by a map.</summary>
internal static class CcaTokenDetector
{
    /// <summary>True when <paramref name="data"/> starts like a CCA token.</summary>
    public static bool LooksLikeToken(ReadOnlySpan<byte> data) =>
        data.Length > 4 && data[0] == 0xD9 && data[1] == 0x01 && data[2] == 0x8F && (data[3] >> 5) == 5;
}
