using System.Buffers.Binary;
using System.Text;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>Recognises an SEV-SNP report by content: 1184 bytes (or 2368 hex digits), VERSION 2..5, SIGNATURE_ALGO 1.</summary>
internal static class SnpReportDetector
{
    /// <summary>Returns the binary report when <paramref name="data"/> looks like one (hex text is decoded), else null.</summary>
    public static byte[]? Detect(ReadOnlySpan<byte> data)
    {
        var trimmed = Trim(data);
        if (trimmed.Length == SnpReport.Size * 2 && Ascii.IsValid(trimmed))
        {
            var bytes = new byte[SnpReport.Size];
            if (Convert.FromHexString(Encoding.ASCII.GetString(trimmed), bytes, out _, out _) != System.Buffers.OperationStatus.Done)
            {
                return null;
            }

            return LooksLikeReport(bytes) ? bytes : null;
        }

        return LooksLikeReport(data) ? data.ToArray() : null;
    }

    private static bool LooksLikeReport(ReadOnlySpan<byte> data) =>
        data.Length == SnpReport.Size
        && BinaryPrimitives.ReadUInt32LittleEndian(data) is >= 2 and <= 5
        && BinaryPrimitives.ReadUInt32LittleEndian(data[0x34..]) == 1;

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> data) => data.Trim(" \t\r\n"u8);
}
