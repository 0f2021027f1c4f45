using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SecGear.ConfidentialVm.Devices;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// The vendor guest-device request structures against include/uapi/linux/sev-guest.h and tdx-guest.h (x86-64): sizes,
/// field offsets and ioctl numbers. There is no device here; these pin the layouts the ioctls depend on.
/// </summary>
public sealed class DeviceAbiTests
{
    [Fact]
    public void Sev_guest_structures_have_the_uapi_sizes()
    {
        Assert.Equal(32, Marshal.SizeOf<SnpGuestRequestIoctl>());
        Assert.Equal(96, Unsafe.SizeOf<SnpReportRequest>());
        Assert.Equal(4000, Unsafe.SizeOf<SnpReportResponse>());
        Assert.Equal(32, Unsafe.SizeOf<SnpDerivedKeyRequest>());
        Assert.Equal(64, Unsafe.SizeOf<SnpDerivedKeyResponse>());
        Assert.Equal(112, Unsafe.SizeOf<SnpExtendedReportRequest>());
    }

    [Fact]
    public void Sev_guest_fields_sit_at_the_uapi_offsets()
    {
        Assert.Equal(0, Marshal.OffsetOf<SnpGuestRequestIoctl>(nameof(SnpGuestRequestIoctl.MessageVersion)));
        Assert.Equal(8, Marshal.OffsetOf<SnpGuestRequestIoctl>(nameof(SnpGuestRequestIoctl.RequestData)));
        Assert.Equal(16, Marshal.OffsetOf<SnpGuestRequestIoctl>(nameof(SnpGuestRequestIoctl.ResponseData)));
        Assert.Equal(24, Marshal.OffsetOf<SnpGuestRequestIoctl>(nameof(SnpGuestRequestIoctl.ExitInfo2)));
        Assert.Equal(64, Marshal.OffsetOf<SnpReportRequest>(nameof(SnpReportRequest.Vmpl)));
        Assert.Equal(8, Marshal.OffsetOf<SnpDerivedKeyRequest>(nameof(SnpDerivedKeyRequest.GuestFieldSelect)));
        Assert.Equal(16, Marshal.OffsetOf<SnpDerivedKeyRequest>(nameof(SnpDerivedKeyRequest.Vmpl)));
        Assert.Equal(20, Marshal.OffsetOf<SnpDerivedKeyRequest>(nameof(SnpDerivedKeyRequest.GuestSvn)));
        Assert.Equal(24, Marshal.OffsetOf<SnpDerivedKeyRequest>(nameof(SnpDerivedKeyRequest.TcbVersion)));
        Assert.Equal(96, Marshal.OffsetOf<SnpExtendedReportRequest>(nameof(SnpExtendedReportRequest.CertificatesAddress)));
        Assert.Equal(104, Marshal.OffsetOf<SnpExtendedReportRequest>(nameof(SnpExtendedReportRequest.CertificatesLength)));
    }

    [Fact]
    public void Ioctl_numbers_are_the_kernels()
    {
        // _IOWR('S', n, 32 bytes) and _IOWR('T', 1, 1088 bytes), as the kernel headers expand them.
        Assert.Equal(0xC0205300u, SevGuestAbi.GetReport);
        Assert.Equal(0xC0205301u, SevGuestAbi.GetDerivedKey);
        Assert.Equal(0xC0205302u, SevGuestAbi.GetExtendedReport);
        Assert.Equal(0xC4405401u, TdxGuestAbi.GetReport0);
    }

    [Fact]
    public void Tdx_report_request_is_report_data_then_td_report()
    {
        Assert.Equal(1088, Unsafe.SizeOf<TdxReportRequest>());
        Assert.Equal(64, Marshal.OffsetOf<TdxReportRequest>(nameof(TdxReportRequest.TdReport)));
    }

    [Fact]
    public void Opening_a_missing_guest_device_fails_as_provider_missing()
    {
        var device = new LinuxSevGuestDevice("/nonexistent/sev-guest");

        var ex = Assert.Throws<Tsm.TsmException>(() => device.GetReport(new byte[64], 0));
        Assert.Equal(Tsm.TsmFailureCode.ProviderMissing, ex.Failure);
        Assert.Equal(Tsm.TsmFailureCode.ProviderMissing, Assert.Throws<Tsm.TsmException>(() => new LinuxTdxGuestDevice("/nonexistent/tdx_guest").GetReport0(new byte[64])).Failure);
    }
}
