using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// A parsed SEV-SNP ATTESTATION_REPORT (SEV-SNP ABI, versions 2, 3 and 5; 1184 bytes). Knows bytes and offsets only:
/// nothing here is verified. Byte arrays are copies of the report's fields.
/// </summary>
public sealed class SnpReport
{
    /// <summary>The size of every report version: 0x4A0 bytes.</summary>
    public const int Size = 0x4A0;

    /// <summary>The signed region: bytes 0x000..0x29F.</summary>
    public const int SignedLength = 0x2A0;

    /// <summary>Offset of the signature (R, then S at +0x48; each 72 bytes little-endian).</summary>
    public const int SignatureOffset = 0x2A0;

    /// <summary>Policy bit 16: SMT allowed.</summary>
    public const ulong PolicySmtAllowed = 1UL << 16;

    /// <summary>Policy bit 17: reserved, must be one.</summary>
    public const ulong PolicyReservedOne = 1UL << 17;

    /// <summary>Policy bit 18: association with a migration agent allowed.</summary>
    public const ulong PolicyMigrateMa = 1UL << 18;

    /// <summary>Policy bit 19: debugging (host can read guest memory) allowed.</summary>
    public const ulong PolicyDebug = 1UL << 19;

    /// <summary>Policy bit 20: the guest may run on one socket only.</summary>
    public const ulong PolicySingleSocket = 1UL << 20;

    private readonly byte[] _raw;

    private SnpReport(byte[] raw)
    {
        _raw = raw;
        var span = raw.AsSpan();
        Version = BinaryPrimitives.ReadUInt32LittleEndian(span);
        GuestSvn = BinaryPrimitives.ReadUInt32LittleEndian(span[0x04..]);
        Policy = BinaryPrimitives.ReadUInt64LittleEndian(span[0x08..]);
        FamilyId = span.Slice(0x10, 16).ToArray();
        ImageId = span.Slice(0x20, 16).ToArray();
        Vmpl = BinaryPrimitives.ReadUInt32LittleEndian(span[0x30..]);
        SignatureAlgorithm = BinaryPrimitives.ReadUInt32LittleEndian(span[0x34..]);
        CurrentTcbRaw = BinaryPrimitives.ReadUInt64LittleEndian(span[0x38..]);
        PlatformInfo = BinaryPrimitives.ReadUInt64LittleEndian(span[0x40..]);
        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(span[0x48..]);
        AuthorKeyEnabled = (flags & 1) != 0;
        MaskChipKey = (flags & 2) != 0;
        SigningKey = (int)((flags >> 2) & 7);
        ReportData = span.Slice(0x50, 64).ToArray();
        Measurement = span.Slice(0x90, 48).ToArray();
        HostData = span.Slice(0xC0, 32).ToArray();
        IdKeyDigest = span.Slice(0xE0, 48).ToArray();
        AuthorKeyDigest = span.Slice(0x110, 48).ToArray();
        ReportId = span.Slice(0x140, 32).ToArray();
        ReportIdMa = span.Slice(0x160, 32).ToArray();
        ReportedTcbRaw = BinaryPrimitives.ReadUInt64LittleEndian(span[0x180..]);
        if (Version >= 3)
        {
            CpuidFamily = span[0x188];
            CpuidModel = span[0x189];
            CpuidStepping = span[0x18A];
        }

        ChipId = span.Slice(0x1A0, 64).ToArray();
        CommittedTcbRaw = BinaryPrimitives.ReadUInt64LittleEndian(span[0x1E0..]);
        CurrentFirmware = new Version(span[0x1EA], span[0x1E9], span[0x1E8]);
        CommittedFirmware = new Version(span[0x1EE], span[0x1ED], span[0x1EC]);
        LaunchTcbRaw = BinaryPrimitives.ReadUInt64LittleEndian(span[0x1F0..]);
        if (Version >= 5)
        {
            LaunchMitigationVector = BinaryPrimitives.ReadUInt64LittleEndian(span[0x1F8..]);
            CurrentMitigationVector = BinaryPrimitives.ReadUInt64LittleEndian(span[0x200..]);
        }
    }

    /// <summary>VERSION (2, 3 or 5; 4 is accepted as its layout equals 5's).</summary>
    public uint Version { get; }

    /// <summary>GUEST_SVN from the ID block.</summary>
    public uint GuestSvn { get; }

    /// <summary>The guest POLICY.</summary>
    public ulong Policy { get; }

    /// <summary>FAMILY_ID from the ID block.</summary>
    public byte[] FamilyId { get; }

    /// <summary>IMAGE_ID from the ID block.</summary>
    public byte[] ImageId { get; }

    /// <summary>The VMPL the report was requested from.</summary>
    public uint Vmpl { get; }

    /// <summary>SIGNATURE_ALGO (1 = ECDSA P-384 with SHA-384).</summary>
    public uint SignatureAlgorithm { get; }

    /// <summary>CURRENT_TCB, raw.</summary>
    public ulong CurrentTcbRaw { get; }

    /// <summary>PLATFORM_INFO (bit 0 SMT enabled, bit 1 TSME enabled, ...).</summary>
    public ulong PlatformInfo { get; }

    /// <summary>AUTHOR_KEY_EN: the ID block was signed by an author key.</summary>
    public bool AuthorKeyEnabled { get; }

    /// <summary>MASK_CHIP_KEY: CHIP_ID is zeroed.</summary>
    public bool MaskChipKey { get; }

    /// <summary>SIGNING_KEY: 0 = VCEK, 1 = VLEK, 7 = none.</summary>
    public int SigningKey { get; }

    /// <summary>REPORT_DATA supplied by the guest (64 bytes).</summary>
    public byte[] ReportData { get; }

    /// <summary>MEASUREMENT: the launch digest (48 bytes).</summary>
    public byte[] Measurement { get; }

    /// <summary>HOST_DATA (32 bytes) supplied by the hypervisor at launch.</summary>
    public byte[] HostData { get; }

    /// <summary>ID_KEY_DIGEST (48 bytes; zero without an ID block).</summary>
    public byte[] IdKeyDigest { get; }

    /// <summary>AUTHOR_KEY_DIGEST (48 bytes).</summary>
    public byte[] AuthorKeyDigest { get; }

    /// <summary>REPORT_ID (32 bytes).</summary>
    public byte[] ReportId { get; }

    /// <summary>REPORT_ID_MA (32 bytes).</summary>
    public byte[] ReportIdMa { get; }

    /// <summary>REPORTED_TCB, raw: the TCB the VCEK is derived from.</summary>
    public ulong ReportedTcbRaw { get; }

    /// <summary>CPUID family id (version 3 and later; null before).</summary>
    public byte? CpuidFamily { get; }

    /// <summary>CPUID model id (version 3 and later; null before).</summary>
    public byte? CpuidModel { get; }

    /// <summary>CPUID stepping (version 3 and later; null before).</summary>
    public byte? CpuidStepping { get; }

    /// <summary>CHIP_ID (64 bytes; zero when masked).</summary>
    public byte[] ChipId { get; }

    /// <summary>COMMITTED_TCB, raw.</summary>
    public ulong CommittedTcbRaw { get; }

    /// <summary>Firmware version now running (major.minor.build).</summary>
    public Version CurrentFirmware { get; }

    /// <summary>Committed firmware version (major.minor.build).</summary>
    public Version CommittedFirmware { get; }

    /// <summary>LAUNCH_TCB, raw.</summary>
    public ulong LaunchTcbRaw { get; }

    /// <summary>LAUNCH_MIT_VECTOR (version 5; null before).</summary>
    public ulong? LaunchMitigationVector { get; }

    /// <summary>CURRENT_MIT_VECTOR (version 5; null before).</summary>
    public ulong? CurrentMitigationVector { get; }

    /// <summary>True when POLICY allows debugging.</summary>
    public bool DebugAllowed => (Policy & PolicyDebug) != 0;

    /// <summary>True when POLICY allows association with a migration agent.</summary>
    public bool MigrationAgentAllowed => (Policy & PolicyMigrateMa) != 0;

    /// <summary>True when POLICY allows SMT.</summary>
    public bool SmtAllowed => (Policy & PolicySmtAllowed) != 0;

    /// <summary>The product implied by CPUID (version 3 and later), else <see cref="SnpProduct.Unknown"/>.</summary>
    public SnpProduct CpuidProduct => (CpuidFamily, CpuidModel) switch
    {
        (0x19, <= 0x0F) => SnpProduct.Milan,
        (0x19, >= 0x10 and <= 0x1F) or (0x19, >= 0xA0 and <= 0xAF) => SnpProduct.Genoa,
        (0x1A, <= 0x1F) => SnpProduct.Turin,
        _ => SnpProduct.Unknown,
    };

    /// <summary>The bytes covered by the signature (0x000..0x29F).</summary>
    public ReadOnlySpan<byte> SignedBytes => _raw.AsSpan(0, SignedLength);

    /// <summary>The whole report.</summary>
    public ReadOnlySpan<byte> RawBytes => _raw;

    /// <summary>
    /// Parses a report. Returns false and a failure naming the check when the bytes are not a well-formed report:
    /// wrong length, unsupported version or signature algorithm, reserved bits or must-be-zero fields violated.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SnpReport? report, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        failure = Check(data);
        if (failure is not null)
        {
            report = null;
            return false;
        }

        report = new SnpReport(data.ToArray());
        return true;
    }

    /// <summary>The signature as IEEE P1363 r‖s big-endian (48 + 48 bytes) converted from the report's little-endian fields.</summary>
    public byte[] SignatureP1363()
    {
        var signature = new byte[96];
        var r = _raw.AsSpan(SignatureOffset, 48);
        var s = _raw.AsSpan(SignatureOffset + 0x48, 48);
        r.CopyTo(signature);
        s.CopyTo(signature.AsSpan(48));
        signature.AsSpan(0, 48).Reverse();
        signature.AsSpan(48, 48).Reverse();
        return signature;
    }

    /// <summary>A TCB value split with the layout of <paramref name="product"/>.</summary>
    public SnpTcbVersion Tcb(ulong rawTcb, SnpProduct product) => SnpTcbVersion.FromRaw(rawTcb, product);

    private static AttestationFailure? Check(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return new(AttestationFailureCode.EvidenceEmpty, "the SEV-SNP report is empty");
        }

        if (data.Length < Size)
        {
            return new(AttestationFailureCode.EvidenceMalformed, $"the SEV-SNP report is {data.Length} bytes, expected {Size}");
        }

        if (data.Length > Size)
        {
            return new(AttestationFailureCode.EvidenceTooLarge, $"the SEV-SNP report is {data.Length} bytes, expected {Size}");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(data);
        if (version is < 2 or > 5)
        {
            return new(AttestationFailureCode.UnsupportedEvidenceVersion, $"SEV-SNP report version is {version}, expected 2, 3, 4 or 5");
        }

        uint algorithm = BinaryPrimitives.ReadUInt32LittleEndian(data[0x34..]);
        if (algorithm != 1)
        {
            return new(AttestationFailureCode.UnsupportedSignatureAlgorithm, $"SEV-SNP SIGNATURE_ALGO is {algorithm}, expected 1 (ECDSA P-384 with SHA-384)");
        }

        ulong policy = BinaryPrimitives.ReadUInt64LittleEndian(data[0x08..]);
        if ((policy & PolicyReservedOne) == 0)
        {
            return new(AttestationFailureCode.EvidenceMalformed, $"SEV-SNP POLICY 0x{policy:x} has reserved bit 17 clear; it must be set");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(data[0x48..]) >> 5 != 0)
        {
            return new(AttestationFailureCode.EvidenceMalformed, "SEV-SNP report flags at 0x48 have reserved bits 5..31 set");
        }

        int reservedStart = version >= 3 ? 0x18B : 0x188;
        int mitigationEnd = version >= 5 ? 0x208 : 0x1F8;
        var mustBeZero = new (int Start, int End)[]
        {
            (0x4C, 0x50), (reservedStart, 0x1A0), (0x1EB, 0x1EC), (0x1EF, 0x1F0), (mitigationEnd, SignatureOffset),
            (SignatureOffset + 48, SignatureOffset + 0x48), (SignatureOffset + 0x48 + 48, Size),
        };
        foreach (var (start, end) in mustBeZero)
        {
            if (data[start..end].ContainsAnyExcept((byte)0))
            {
                return new(AttestationFailureCode.EvidenceMalformed, $"SEV-SNP report bytes 0x{start:x}..0x{end - 1:x} are reserved and must be zero");
            }
        }

        return null;
    }
}
