using System.Buffers.Binary;

namespace SecGear.Attestation;

/// <summary>Strips the containers that real evidence files arrive in: comment header lines and Open Enclave's report header.</summary>
internal static class EvidenceUnwrapper
{
    /// <summary>Open Enclave <c>oe_report_header_t</c>: u32 version=1, u32 report_type, u64 report_size.</summary>
    private const int OeReportHeaderSize = 16;

    public static ReadOnlySpan<byte> Unwrap(ReadOnlySpan<byte> data)
    {
        data = SkipCommentLines(data);
        if (data.Length > OeReportHeaderSize
            && BinaryPrimitives.ReadUInt32LittleEndian(data) == 1
            && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) is 1 or 2
            && BinaryPrimitives.ReadUInt64LittleEndian(data[8..]) == (ulong)(data.Length - OeReportHeaderSize))
        {
            return data[OeReportHeaderSize..];
        }

        return data;
    }

    /// <summary>Skips leading lines that start with '#' (the licence header of Open Enclave's test data files).</summary>
    public static ReadOnlySpan<byte> SkipCommentLines(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0 && data[0] == (byte)'#')
        {
            int newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return ReadOnlySpan<byte>.Empty;
            }

            data = data[(newline + 1)..];
        }

        return data;
    }
}
