using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm.Devices;

/// <summary>
/// <c>/dev/tdx_guest</c> through TDX_CMD_GET_REPORT0 (<see cref="TdxGuestAbi"/>). The TDREPORT it returns is MAC'd with
/// a CPU-local key; turning it into a quote needs a quoting enclave (Intel's QGS over vsock), which this engine does
/// not implement: without configfs-tsm, TDX evidence is refused with <see cref="TsmFailureCode.NotSupported"/>. Not run
/// in this repository's tests (no TDX guest here).
/// </summary>
public sealed class LinuxTdxGuestDevice(string path = LinuxTdxGuestDevice.DefaultPath)
{
    /// <summary>The device node.</summary>
    public const string DefaultPath = "/dev/tdx_guest";

    /// <summary>TDX_CMD_GET_REPORT0: the 1024-byte TDREPORT binding <paramref name="reportData"/> (64 bytes).</summary>
    /// <exception cref="TsmException">The device is absent, refused or failed.</exception>
    public unsafe byte[] GetReport0(ReadOnlySpan<byte> reportData)
    {
        if (reportData.Length != TdxGuestAbi.ReportDataLength)
        {
            throw new ArgumentException("The report data must be 64 bytes.", nameof(reportData));
        }

        var request = default(TdxReportRequest);
        reportData.CopyTo(new Span<byte>(request.ReportData, TdxGuestAbi.ReportDataLength));
        int fd = Ioctl.OpenReadWrite(path);
        if (fd < 0)
        {
            throw LinuxSevGuestDevice.DeviceError(-fd, $"open {path}");
        }

        try
        {
            int rc = Ioctl.Call(fd, TdxGuestAbi.GetReport0, &request);
            if (rc != 0)
            {
                throw LinuxSevGuestDevice.DeviceError(-rc, "TDX_CMD_GET_REPORT0");
            }
        }
        finally
        {
            Ioctl.CloseDescriptor(fd);
        }

        return new ReadOnlySpan<byte>(request.TdReport, TdxGuestAbi.ReportLength).ToArray();
    }
}
