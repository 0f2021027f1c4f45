using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// A parsed Azure HCL report (little-endian): the <c>HCLA</c> header, a 1184-byte hardware report slot (SEV-SNP
/// ATTESTATION_REPORT or a 1024-byte TDREPORT) and the runtime data, whose variable part is the JSON that carries the
/// vTPM attestation key. Knows the layout only; nothing here is verified.
/// </summary>
public sealed class HclReport
{
    /// <summary>Runtime-data report type of an SEV-SNP hardware report.</summary>
    public const uint ReportTypeSnp = 2;

    /// <summary>Runtime-data report type of a TDX TDREPORT.</summary>
    public const uint ReportTypeTdx = 4;

    /// <summary>Offset of the hardware report slot.</summary>
    public const int SlotOffset = 0x20;

    /// <summary>Size of the hardware report slot.</summary>
    public const int SlotSize = 0x4A0;

    /// <summary>Size of a TDREPORT inside the slot.</summary>
    public const int TdReportSize = 1024;

    private const int RuntimeHeaderOffset = 0x4C0;
    private const int VariableDataOffset = 0x4D4;
    private const int RuntimeHeaderSize = 20;
    private const int MaxVariableData = 64 * 1024;

    private HclReport(uint headerVersion, uint reportType, byte[] hardwareReport, byte[] variableData)
    {
        HeaderVersion = headerVersion;
        ReportType = reportType;
        HardwareReport = hardwareReport;
        VariableData = variableData;
    }

    /// <summary>Header version (1 and 2 are known).</summary>
    public uint HeaderVersion { get; }

    /// <summary>Runtime-data report type: <see cref="ReportTypeSnp"/> or <see cref="ReportTypeTdx"/>.</summary>
    public uint ReportType { get; }

    /// <summary>The hardware report: 1184 bytes of SNP report, or the 1024-byte TDREPORT.</summary>
    public byte[] HardwareReport { get; }

    /// <summary>The runtime data's variable part exactly as stored (the bytes whose SHA-256 is the report data).</summary>
    public byte[] VariableData { get; }

    /// <summary>The report data the hardware report carries (SNP REPORT_DATA at 0x50, TDREPORT REPORTDATA at 128).</summary>
    public ReadOnlySpan<byte> HardwareReportData => HardwareReport.AsSpan(ReportType == ReportTypeSnp ? 0x50 : 128, 64);

    /// <summary>Parses an HCL report. Returns false and a failure naming the rule when it is not well formed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out HclReport? report, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        report = null;
        failure = null;
        if (data.Length < VariableDataOffset)
        {
            failure = Malformed(data.Length == 0 ? AttestationFailureCode.EvidenceEmpty : AttestationFailureCode.EvidenceMalformed, string.Create(CultureInfo.InvariantCulture, $"the HCL report is {data.Length} bytes, shorter than its {VariableDataOffset}-byte fixed part"));
            return false;
        }

        if (!data[..4].SequenceEqual("HCLA"u8))
        {
            failure = Malformed(AttestationFailureCode.EvidenceMalformed, $"the HCL report magic is {Convert.ToHexString(data[..4])}, expected 48434C41 (HCLA)");
            return false;
        }

        uint version = U32(data, 0x04);
        uint inUse = U32(data, 0x08);
        uint requestType = U32(data, 0x0C);
        uint runtimeSize = U32(data, RuntimeHeaderOffset);
        uint runtimeVersion = U32(data, RuntimeHeaderOffset + 4);
        uint reportType = U32(data, RuntimeHeaderOffset + 8);
        uint hashType = U32(data, RuntimeHeaderOffset + 12);
        uint variableSize = U32(data, RuntimeHeaderOffset + 16);
        if (version is not (1 or 2) || runtimeVersion != 1)
        {
            failure = Malformed(AttestationFailureCode.UnsupportedEvidenceVersion, string.Create(CultureInfo.InvariantCulture, $"HCL header version {version}, runtime-data version {runtimeVersion}; expected header 1 or 2, runtime data 1"));
            return false;
        }

        if (requestType != 2)
        {
            failure = Malformed(AttestationFailureCode.EvidenceMalformed, string.Create(CultureInfo.InvariantCulture, $"the HCL request type is {requestType}, expected 2"));
            return false;
        }

        if (reportType is not (ReportTypeSnp or ReportTypeTdx))
        {
            failure = Malformed(AttestationFailureCode.UnsupportedTeeType, string.Create(CultureInfo.InvariantCulture, $"the HCL runtime-data report type is {reportType}, expected 2 (SEV-SNP) or 4 (TDX)"));
            return false;
        }

        if (hashType != 1)
        {
            failure = Malformed(AttestationFailureCode.UnsupportedSignatureAlgorithm, string.Create(CultureInfo.InvariantCulture, $"the HCL runtime-data hash type is {hashType}, expected 1 (SHA-256)"));
            return false;
        }

        if (variableSize > MaxVariableData || variableSize > data.Length - VariableDataOffset || runtimeSize != RuntimeHeaderSize + variableSize || inUse != VariableDataOffset + variableSize)
        {
            failure = Malformed(AttestationFailureCode.EvidenceMalformed, string.Create(CultureInfo.InvariantCulture, $"inconsistent HCL lengths: variable data {variableSize} bytes, runtime-data size {runtimeSize} (expected {RuntimeHeaderSize}+N), bytes in use {inUse} (expected {VariableDataOffset}+N), report {data.Length} bytes"));
            return false;
        }

        var slot = data.Slice(SlotOffset, SlotSize);
        var hardware = reportType == ReportTypeSnp ? slot.ToArray() : slot[..TdReportSize].ToArray();
        report = new HclReport(version, reportType, hardware, data.Slice(VariableDataOffset, (int)variableSize).ToArray());
        return true;
    }

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);

    private static AttestationFailure Malformed(AttestationFailureCode code, string message) => new(code, $"Azure HCL report: {message}");
}
