using System.Runtime.InteropServices;

namespace SecGear.ConfidentialVm.Devices;

/// <summary>
/// The request structure of <c>/dev/tdx_guest</c>, as include/uapi/linux/tdx-guest.h (Linux 6.x) declares it. The
/// device gives only a TDREPORT, MAC'd with a CPU-local key: a remote verifier needs a quote, which since Linux 6.7 is
/// produced through configfs-tsm (TDX_CMD_GET_QUOTE never reached mainline).
/// </summary>
public static class TdxGuestAbi
{
    /// <summary>Length of REPORTDATA.</summary>
    public const int ReportDataLength = 64;

    /// <summary>Length of a TDREPORT_STRUCT.</summary>
    public const int ReportLength = 1024;

    /// <summary>TDX_CMD_GET_REPORT0 = _IOWR('T', 1, struct tdx_report_req).</summary>
    public static readonly uint GetReport0 = Ioctl.ReadWrite('T', 1, Marshal.SizeOf<TdxReportRequest>());
}

/// <summary>struct tdx_report_req.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct TdxReportRequest
{
    /// <summary>User data bound into the report.</summary>
    public fixed byte ReportData[TdxGuestAbi.ReportDataLength];

    /// <summary>The TDREPORT the module returns.</summary>
    public fixed byte TdReport[TdxGuestAbi.ReportLength];
}
