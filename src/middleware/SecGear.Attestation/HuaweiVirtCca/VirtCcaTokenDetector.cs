using System.Formats.Cbor;
using System.Security.Cryptography.Cose;
using SecGear.Attestation.ArmCca;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// Recognises a virtCCA token by content, binary or as hex text (secGear stores it so): a tag-399 collection whose
/// realm token is signed with an RSA algorithm (PS256/384/512) or that holds no platform token. Arm CCA tokens carry
/// both tokens and EC realm keys, so the two formats do not overlap.
/// </summary>
internal static class VirtCcaTokenDetector
{
    private const int MaxHexLength = 128 * 1024;

    /// <summary>The token bytes when <paramref name="data"/> is a virtCCA token, else null.</summary>
    public static byte[]? Detect(ReadOnlySpan<byte> data)
    {
        var trimmed = Trim(data);
        byte[] binary;
        if (trimmed.Length > 6 && trimmed.Length <= MaxHexLength && trimmed.Length % 2 == 0 && System.Text.Ascii.EqualsIgnoreCase(trimmed[..6], "d9018f"u8))
        {
            try
            {
                binary = Convert.FromHexString(System.Text.Encoding.ASCII.GetString(trimmed));
            }
            catch (FormatException)
            {
                return null;
            }
        }
        else if (CcaTokenDetector.LooksLikeToken(data))
        {
            binary = data.ToArray();
        }
        else
        {
            return null;
        }

        return IsVirtCca(binary) ? binary : null;
    }

    private static bool IsVirtCca(byte[] token)
    {
        try
        {
            var reader = new CborReader(token, CborConformanceMode.Lax);
            reader.ReadTag();
            int count = reader.ReadStartMap() ?? 0;
            bool platform = false;
            byte[]? realm = null;
            for (int i = 0; i < count; i++)
            {
                switch (reader.ReadInt32())
                {
                    case CcaToken.PlatformKey: platform = true; reader.SkipValue(); break;
                    case CcaToken.RealmKey: realm = reader.ReadByteString(); break;
                    default: reader.SkipValue(); break;
                }
            }

            return realm is not null && (!platform || CcaToken.AlgorithmOf(CoseMessage.DecodeSign1(realm)) is -37 or -38 or -39);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or System.Security.Cryptography.CryptographicException or FormatException or OverflowException or KeyNotFoundException)
        {
            return false;
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> data)
    {
        int start = 0, end = data.Length;
        while (start < end && data[start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            start++;
        }

        while (end > start && data[end - 1] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            end--;
        }

        return data[start..end];
    }
}
