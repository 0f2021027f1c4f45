using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using SecGear.Identity;

namespace SecGear.Trusted.Attestation;

/// <summary>
/// A local attestation report (the SGX EREPORT / <c>cc_local_attest</c> analogue): the identity of the enclave that
/// made it and 64 bytes of report data, MAC'd with a key that only the target enclave on the same platform can
/// derive. Created by <see cref="Platform.IAttestingPlatform.CreateReport"/>, checked by
/// <see cref="Platform.IAttestingPlatform.VerifyReport"/>.
/// </summary>
/// <remarks>
/// Wire layout (204 bytes, little-endian): magic "SGLR" | version u16 = 1 | flags u16 (bit 0 debug) |
/// measurement (32) | signer (32) | product id u16 | security version u16 | target measurement (32) |
/// report data (64) | HMAC-SHA-256 over the preceding 172 bytes (32).
/// </remarks>
public sealed class LocalReport
{
    /// <summary>The encoded length of a report.</summary>
    public const int Length = MacOffset + MacLength;

    /// <summary>The length of the report data field; shorter caller data is zero-padded.</summary>
    public const int ReportDataLength = 64;

    internal const int MacOffset = 172;
    internal const int MacLength = 32;
    private const ushort Version = 1;
    private const ushort DebugFlag = 1;

    internal LocalReport(EnclaveIdentity source, byte[] targetMeasurement, byte[] reportData)
    {
        Source = source;
        TargetMeasurement = targetMeasurement;
        ReportData = reportData;
    }

    /// <summary>The identity of the enclave that created the report.</summary>
    public EnclaveIdentity Source { get; }

    /// <summary>The measurement of the enclave the report is addressed to.</summary>
    public ReadOnlyMemory<byte> TargetMeasurement { get; }

    /// <summary>The 64 bytes of report data the source bound into the report.</summary>
    public ReadOnlyMemory<byte> ReportData { get; }

    private static ReadOnlySpan<byte> Magic => "SGLR"u8;

    /// <summary>Writes the MAC'd body (everything before the MAC) into <paramref name="destination"/>.</summary>
    internal static void WriteBody(EnclaveIdentity source, ReadOnlySpan<byte> targetMeasurement, ReadOnlySpan<byte> reportData, Span<byte> destination)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], source.Debug ? DebugFlag : (ushort)0);
        source.Measurement.CopyTo(destination[8..]);
        source.Signer.CopyTo(destination[40..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[72..], source.ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[74..], source.SecurityVersion);
        targetMeasurement.CopyTo(destination[76..]);
        destination.Slice(108, ReportDataLength).Clear();
        reportData.CopyTo(destination[108..]);
    }

    /// <summary>Reads a report whose MAC has already been verified; false with the error for a malformed header.</summary>
    internal static bool TryRead(ReadOnlySpan<byte> report, [NotNullWhen(true)] out LocalReport? read, [NotNullWhen(false)] out string? error)
    {
        read = null;
        if (!report[..4].SequenceEqual(Magic))
        {
            error = $"the report starts with {Convert.ToHexStringLower(report[..4])}; expected the magic 53474c52 (\"SGLR\")";
            return false;
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(report[4..]);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(report[6..]);
        if (version != Version || (flags & ~DebugFlag) != 0)
        {
            error = $"the report has version {version} and flags 0x{flags:x4}; expected version {Version} and only bit 0 (debug)";
            return false;
        }

        error = null;
        var source = new EnclaveIdentity(
            report.Slice(8, 32).ToArray(),
            report.Slice(40, 32).ToArray(),
            BinaryPrimitives.ReadUInt16LittleEndian(report[72..]),
            BinaryPrimitives.ReadUInt16LittleEndian(report[74..]),
            (flags & DebugFlag) != 0);
        read = new LocalReport(source, report.Slice(76, 32).ToArray(), report.Slice(108, ReportDataLength).ToArray());
        return true;
    }
}
