using System.Buffers.Binary;

namespace SecGear.Attestation.Intel;

/// <summary>A TD report body: 1.0 (584 bytes) or 1.5 (648 bytes, adds TEE_TCB_SVN2 and MRSERVICETD).</summary>
public sealed class TdReportBody
{
    /// <summary>Size of a TD report 1.0 body.</summary>
    public const int Size10 = 584;

    /// <summary>Size of a TD report 1.5 body.</summary>
    public const int Size15 = 648;

    private TdReportBody(ReadOnlyMemory<byte> raw)
    {
        Raw = raw;
    }

    /// <summary>The raw body bytes.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>True for a TD report 1.5 body.</summary>
    public bool IsVersion15 => Raw.Length == Size15;

    /// <summary>TEE_TCB_SVN (16 bytes): [0] module SVN, [1] module major version, [2..] further components.</summary>
    public ReadOnlySpan<byte> TeeTcbSvn => Raw.Span[..16];

    /// <summary>MRSEAM (48 bytes).</summary>
    public ReadOnlySpan<byte> MrSeam => Raw.Span.Slice(0x10, 48);

    /// <summary>MRSIGNERSEAM (48 bytes; zero for Intel-signed modules).</summary>
    public ReadOnlySpan<byte> MrSignerSeam => Raw.Span.Slice(0x40, 48);

    /// <summary>SEAMATTRIBUTES (8 bytes).</summary>
    public ReadOnlySpan<byte> SeamAttributes => Raw.Span.Slice(0x70, 8);

    /// <summary>TDATTRIBUTES (8 bytes).</summary>
    public ReadOnlySpan<byte> TdAttributes => Raw.Span.Slice(0x78, 8);

    /// <summary>True when TDATTRIBUTES.DEBUG (bit 0) is set.</summary>
    public bool Debug => (BinaryPrimitives.ReadUInt64LittleEndian(TdAttributes) & 1) != 0;

    /// <summary>XFAM (8 bytes).</summary>
    public ReadOnlySpan<byte> Xfam => Raw.Span.Slice(0x80, 8);

    /// <summary>MRTD (48 bytes).</summary>
    public ReadOnlySpan<byte> MrTd => Raw.Span.Slice(0x88, 48);

    /// <summary>MRCONFIGID (48 bytes).</summary>
    public ReadOnlySpan<byte> MrConfigId => Raw.Span.Slice(0xB8, 48);

    /// <summary>MROWNER (48 bytes).</summary>
    public ReadOnlySpan<byte> MrOwner => Raw.Span.Slice(0xE8, 48);

    /// <summary>MROWNERCONFIG (48 bytes).</summary>
    public ReadOnlySpan<byte> MrOwnerConfig => Raw.Span.Slice(0x118, 48);

    /// <summary>REPORTDATA (64 bytes).</summary>
    public ReadOnlySpan<byte> ReportData => Raw.Span.Slice(0x208, 64);

    /// <summary>TEE_TCB_SVN2 (16 bytes; TD report 1.5 only, else empty).</summary>
    public ReadOnlySpan<byte> TeeTcbSvn2 => IsVersion15 ? Raw.Span.Slice(0x248, 16) : ReadOnlySpan<byte>.Empty;

    /// <summary>MRSERVICETD (48 bytes; TD report 1.5 only, else empty).</summary>
    public ReadOnlySpan<byte> MrServiceTd => IsVersion15 ? Raw.Span.Slice(0x258, 48) : ReadOnlySpan<byte>.Empty;

    /// <summary>RTMR <paramref name="index"/> (0..3, 48 bytes each).</summary>
    public ReadOnlySpan<byte> Rtmr(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 3);
        return Raw.Span.Slice(0x148 + (48 * index), 48);
    }

    internal static TdReportBody Create(ReadOnlyMemory<byte> raw) =>
        raw.Length is Size10 or Size15 ? new TdReportBody(raw) : throw new ArgumentException("a TD report body is 584 or 648 bytes", nameof(raw));
}
