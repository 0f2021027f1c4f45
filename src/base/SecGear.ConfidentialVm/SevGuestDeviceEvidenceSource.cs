using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>
/// SEV-SNP evidence through <c>/dev/sev-guest</c>, the fallback when configfs-tsm is absent (kernels before 6.7):
/// SNP_GET_EXT_REPORT, so the certificate table the host supplies (VCEK, ASK, ARK) travels with the report as on
/// configfs-tsm; SNP_GET_REPORT (no table: the verifier needs the VCEK and AMD chain as collateral) when the driver
/// does not know the extended request. Reports are requested at the VMPL given (0-3;
/// <see cref="ConfidentialVmEnvironment.Vmpl"/> for the engine).
/// </summary>
public sealed class SevGuestDeviceEvidenceSource : IEvidenceSource
{
    private readonly ISevGuestDevice _device;
    private readonly uint _vmpl;
    private volatile bool _extendedUnsupported;

    /// <summary>Evidence from <paramref name="device"/> at <paramref name="vmpl"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A VMPL above 3.</exception>
    public SevGuestDeviceEvidenceSource(ISevGuestDevice device, uint vmpl = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(vmpl, 3u);
        _device = device;
        _vmpl = vmpl;
    }

    /// <inheritdoc/>
    public ConfidentialVmTee Tee => ConfidentialVmTee.SevSnp;

    /// <inheritdoc/>
    public string Description => $"{LinuxSevGuestDevice.DefaultPath} ({(_extendedUnsupported ? "SNP_GET_REPORT" : "SNP_GET_EXT_REPORT")}, VMPL {_vmpl})";

    /// <summary>The device, also used for derived sealing keys.</summary>
    public ISevGuestDevice Device => _device;

    /// <summary>The VMPL reports (and derived keys) are requested at.</summary>
    public uint Vmpl => _vmpl;

    /// <inheritdoc/>
    public TsmReport GetReport(ReadOnlySpan<byte> reportData)
    {
        byte[] report;
        byte[] certificates = [];
        if (_extendedUnsupported)
        {
            report = _device.GetReport(reportData, _vmpl);
        }
        else
        {
            try
            {
                (report, certificates) = _device.GetExtendedReport(reportData, _vmpl);
            }
            catch (TsmException ex) when (ex.Failure == TsmFailureCode.KernelTooOld)
            {
                _extendedUnsupported = true;
                report = _device.GetReport(reportData, _vmpl);
            }
        }

        TsmProviders.CheckOutblob(TsmProviders.SevSnp, report);
        return new TsmReport(TsmProviders.SevSnp, ConfidentialVmTee.SevSnp, report, certificates, 0);
    }
}
