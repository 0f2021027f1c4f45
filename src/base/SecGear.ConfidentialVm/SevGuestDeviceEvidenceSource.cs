using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>
/// SEV-SNP evidence through <c>/dev/sev-guest</c> (SNP_GET_REPORT), the fallback when configfs-tsm is absent (kernels
/// before 6.7). It carries no certificate table: the verifier needs the VCEK and AMD chain as collateral.
/// </summary>
public sealed class SevGuestDeviceEvidenceSource(ISevGuestDevice device, uint vmpl = 0) : IEvidenceSource
{
    /// <inheritdoc/>
    public ConfidentialVmTee Tee => ConfidentialVmTee.SevSnp;

    /// <inheritdoc/>
    public string Description => $"{LinuxSevGuestDevice.DefaultPath} (SNP_GET_REPORT, VMPL {vmpl})";

    /// <summary>The device, also used for derived sealing keys.</summary>
    public ISevGuestDevice Device => device;

    /// <inheritdoc/>
    public TsmReport GetReport(ReadOnlySpan<byte> reportData)
    {
        byte[] report = device.GetReport(reportData, vmpl);
        TsmProviders.CheckOutblob(TsmProviders.SevSnp, report);
        return new TsmReport(TsmProviders.SevSnp, ConfidentialVmTee.SevSnp, report, [], 0);
    }
}
