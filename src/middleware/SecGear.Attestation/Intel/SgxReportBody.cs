using System.Buffers.Binary;

namespace SecGear.Attestation.Intel;

/// <summary>An SGX enclave report body (<c>sgx_report_body_t</c>, 384 bytes): the ISV enclave's and the QE's report.</summary>
public sealed class SgxReportBody
{
    /// <summary>Size in bytes.</summary>
    public const int Size = 384;

    private SgxReportBody(ReadOnlyMemory<byte> raw)
    {
        Raw = raw;
    }

    /// <summary>The 384 raw bytes (the exact bytes the QE report signature covers).</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>CPUSVN (16 bytes).</summary>
    public ReadOnlySpan<byte> CpuSvn => Raw.Span[..16];

    /// <summary>MISCSELECT.</summary>
    public uint MiscSelect => BinaryPrimitives.ReadUInt32LittleEndian(Raw.Span[0x10..]);

    /// <summary>ATTRIBUTES (16 bytes: flags u64 then XFRM u64).</summary>
    public ReadOnlySpan<byte> Attributes => Raw.Span.Slice(0x30, 16);

    /// <summary>True when ATTRIBUTES.DEBUG (flags bit 1) is set.</summary>
    public bool Debug => (Raw.Span[0x30] & 0x02) != 0;

    /// <summary>MRENCLAVE (32 bytes).</summary>
    public ReadOnlySpan<byte> MrEnclave => Raw.Span.Slice(0x40, 32);

    /// <summary>MRSIGNER (32 bytes).</summary>
    public ReadOnlySpan<byte> MrSigner => Raw.Span.Slice(0x80, 32);

    /// <summary>CONFIGID (64 bytes).</summary>
    public ReadOnlySpan<byte> ConfigId => Raw.Span.Slice(0xC0, 64);

    /// <summary>ISVPRODID.</summary>
    public ushort IsvProdId => BinaryPrimitives.ReadUInt16LittleEndian(Raw.Span[0x100..]);

    /// <summary>ISVSVN.</summary>
    public ushort IsvSvn => BinaryPrimitives.ReadUInt16LittleEndian(Raw.Span[0x102..]);

    /// <summary>CONFIGSVN.</summary>
    public ushort ConfigSvn => BinaryPrimitives.ReadUInt16LittleEndian(Raw.Span[0x104..]);

    /// <summary>ISVEXTPRODID (16 bytes).</summary>
    public ReadOnlySpan<byte> IsvExtProdId => Raw.Span.Slice(0x20, 16);

    /// <summary>ISVFAMILYID (16 bytes).</summary>
    public ReadOnlySpan<byte> IsvFamilyId => Raw.Span.Slice(0x130, 16);

    /// <summary>REPORTDATA (64 bytes).</summary>
    public ReadOnlySpan<byte> ReportData => Raw.Span.Slice(0x140, 64);

    internal static SgxReportBody Create(ReadOnlyMemory<byte> raw) =>
        raw.Length == Size ? new SgxReportBody(raw) : throw new ArgumentException($"an SGX report body is {Size} bytes", nameof(raw));
}
