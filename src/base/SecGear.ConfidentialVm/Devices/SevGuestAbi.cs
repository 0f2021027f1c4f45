using System.Runtime.InteropServices;

namespace SecGear.ConfidentialVm.Devices;

/// <summary>
/// The request structures of <c>/dev/sev-guest</c>, as the kernel's uapi header include/uapi/linux/sev-guest.h
/// (Linux 6.x) declares them; natural C alignment, x86-64. The structure tests pin their sizes and offsets.
/// </summary>
public static class SevGuestAbi
{
    /// <summary>SNP_GET_REPORT = _IOWR('S', 0x0, struct snp_guest_request_ioctl).</summary>
    public static readonly uint GetReport = Ioctl.ReadWrite('S', 0x0, Marshal.SizeOf<SnpGuestRequestIoctl>());

    /// <summary>SNP_GET_DERIVED_KEY = _IOWR('S', 0x1, struct snp_guest_request_ioctl).</summary>
    public static readonly uint GetDerivedKey = Ioctl.ReadWrite('S', 0x1, Marshal.SizeOf<SnpGuestRequestIoctl>());

    /// <summary>SNP_GET_EXT_REPORT = _IOWR('S', 0x2, struct snp_guest_request_ioctl).</summary>
    public static readonly uint GetExtendedReport = Ioctl.ReadWrite('S', 0x2, Marshal.SizeOf<SnpGuestRequestIoctl>());

    /// <summary>The message version written into every request (the driver refuses 0).</summary>
    public const byte MessageVersion = 1;

    /// <summary>GUEST_FIELD_SELECT bit: mix the guest policy into the derived key.</summary>
    public const ulong FieldGuestPolicy = 1 << 0;

    /// <summary>GUEST_FIELD_SELECT bit: mix the image id (from the ID block).</summary>
    public const ulong FieldImageId = 1 << 1;

    /// <summary>GUEST_FIELD_SELECT bit: mix the family id (from the ID block).</summary>
    public const ulong FieldFamilyId = 1 << 2;

    /// <summary>GUEST_FIELD_SELECT bit: mix the launch measurement.</summary>
    public const ulong FieldMeasurement = 1 << 3;

    /// <summary>GUEST_FIELD_SELECT bit: mix the guest SVN given in the request.</summary>
    public const ulong FieldGuestSvn = 1 << 4;

    /// <summary>GUEST_FIELD_SELECT bit: mix the TCB version given in the request.</summary>
    public const ulong FieldTcbVersion = 1 << 5;

    /// <summary>ROOT_KEY_SELECT: derive from the VCEK (chip-unique); 1 would be the VM root key (VMRK).</summary>
    public const uint RootKeyVcek = 0;

    /// <summary>Offset of the 32-byte key in MSG_KEY_RSP (status u32, 28 reserved bytes, key).</summary>
    public const int DerivedKeyOffset = 0x20;

    /// <summary>Offset of the report in MSG_REPORT_RSP (status u32, report size u32, 24 reserved bytes, report).</summary>
    public const int ReportOffset = 0x20;
}

/// <summary>struct snp_guest_request_ioctl: the argument of every /dev/sev-guest ioctl.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SnpGuestRequestIoctl
{
    /// <summary>Message version (1).</summary>
    public byte MessageVersion;

    /// <summary>User address of the request structure.</summary>
    public ulong RequestData;

    /// <summary>User address of the response structure.</summary>
    public ulong ResponseData;

    /// <summary>exitinfo2: firmware error (low 32 bits) and VMM error (high 32 bits).</summary>
    public ulong ExitInfo2;
}

/// <summary>struct snp_report_req.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SnpReportRequest
{
    /// <summary>64 bytes the firmware puts into REPORT_DATA.</summary>
    public fixed byte UserData[64];

    /// <summary>The VMPL the report is for (at least the caller's).</summary>
    public uint Vmpl;

    /// <summary>Reserved, zero.</summary>
    public fixed byte Reserved[28];
}

/// <summary>struct snp_report_resp: MSG_REPORT_RSP in 4000 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SnpReportResponse
{
    /// <summary>Status, report size, reserved, report.</summary>
    public fixed byte Data[4000];
}

/// <summary>struct snp_derived_key_req: MSG_KEY_REQ.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SnpDerivedKeyRequest
{
    /// <summary>0 = VCEK, 1 = VMRK.</summary>
    public uint RootKeySelect;

    /// <summary>Reserved, zero.</summary>
    public uint Reserved;

    /// <summary>Which guest fields are mixed into the key (<see cref="SevGuestAbi.FieldGuestPolicy"/> and friends).</summary>
    public ulong GuestFieldSelect;

    /// <summary>The VMPL the key is for.</summary>
    public uint Vmpl;

    /// <summary>The guest SVN mixed in when selected (at most the guest's).</summary>
    public uint GuestSvn;

    /// <summary>The TCB version mixed in when selected (at most the current).</summary>
    public ulong TcbVersion;
}

/// <summary>struct snp_derived_key_resp: MSG_KEY_RSP in 64 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct SnpDerivedKeyResponse
{
    /// <summary>Status u32, reserved, 32-byte key at <see cref="SevGuestAbi.DerivedKeyOffset"/>.</summary>
    public fixed byte Data[64];
}

/// <summary>struct snp_ext_report_req: a report request plus a buffer for the certificate table.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SnpExtendedReportRequest
{
    /// <summary>The report request.</summary>
    public SnpReportRequest Data;

    /// <summary>User address of the certificate buffer (page aligned).</summary>
    public ulong CertificatesAddress;

    /// <summary>Its length in bytes (a multiple of 4096); the kernel writes back the needed length on EINVAL/ENOSPC.</summary>
    public uint CertificatesLength;
}
