using System.Buffers;
using System.Buffers.Text;

namespace SecGear.Attestation.AwsNitro;

/// <summary>
/// Recognises a Nitro document by content: a COSE_Sign1 (optionally tag 18) whose protected header is exactly
/// <c>{1: -35}</c>, as AWS's NSM writes it; base64 text of one is decoded.
/// </summary>
internal static class NitroDocumentDetector
{
    private static ReadOnlySpan<byte> Untagged => [0x84, 0x44, 0xA1, 0x01, 0x38, 0x22];

    /// <summary>Returns the binary document when <paramref name="data"/> looks like one, else null.</summary>
    public static byte[]? Detect(ReadOnlySpan<byte> data)
    {
        if (LooksLikeDocument(data))
        {
            return data.ToArray();
        }

        var text = data.Trim(" \t\r\n"u8);
        if (text.IsEmpty || text.Length > 256 * 1024)
        {
            return null;
        }

        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
        return Base64.DecodeFromUtf8(text, decoded, out _, out int written) == OperationStatus.Done && LooksLikeDocument(decoded.AsSpan(0, written))
            ? decoded[..written]
            : null;
    }

    private static bool LooksLikeDocument(ReadOnlySpan<byte> data) =>
        data.StartsWith(Untagged) || (data.Length > 1 && data[0] == 0xD2 && data[1..].StartsWith(Untagged));
}
