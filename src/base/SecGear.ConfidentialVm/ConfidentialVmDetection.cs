using SecGear.ConfidentialVm.Devices;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tpm;
using SecGear.ConfidentialVm.Tsm;

namespace SecGear.ConfidentialVm;

/// <summary>
/// Finds the confidential VM's attestation interfaces: configfs-tsm first, then the vendor guest devices. Honours
/// <see cref="ConfidentialVmEnvironment"/>. Used by the host (is the engine available, <c>secgear platform detect</c>)
/// and by the runner (which platform services to give the enclave).
/// </summary>
public static class ConfidentialVmDetection
{
    /// <summary>The virtual report root of the emulated tree.</summary>
    public const string EmulatedReportRoot = "/emulated/sys/kernel/config/tsm/report";

    /// <summary>The TPM resource manager device of a vTPM (Azure confidential VMs).</summary>
    public const string TpmDevicePath = "/dev/tpmrm0";

    /// <summary>The configfs-tsm client the environment asks for (emulated, another root, or the kernel's).</summary>
    /// <exception cref="TsmException">The emulation description is unusable.</exception>
    public static ConfigFsTsm CreateTsmClient()
    {
        if (Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.Emulation) is { Length: > 0 } spec)
        {
            var emulated = new EmulatedConfigFsTsm(EmulatedReportRoot, EmulatedTsmReport.Load(spec));
            return new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = EmulatedReportRoot }, emulated);
        }

        string root = Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.TsmRoot) is { Length: > 0 } r ? r : ConfigFsTsm.DefaultReportRoot;
        return new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = root });
    }

    /// <summary>
    /// The evidence source of this VM: configfs-tsm when a provider answers; otherwise an Azure vTPM holding an HCL report
    /// (<see cref="ConfidentialVmEnvironment.Tpm"/> or <c>/dev/tpmrm0</c>); otherwise <c>/dev/sev-guest</c>. TDX without
    /// configfs-tsm is refused (the device gives only a MAC'd TD report). <paramref name="sevDevice"/> is the SEV-SNP
    /// guest device for derived sealing keys when there is one.
    /// </summary>
    /// <exception cref="TsmException">No interface answers; the failure of configfs-tsm says why.</exception>
    /// <exception cref="ConfidentialVmConfigurationException">The guest is SEV-SNP and <see cref="ConfidentialVmEnvironment.Vmpl"/> is set but not 0-3.</exception>
    public static IEvidenceSource OpenSource(out ISevGuestDevice? sevDevice) => OpenSource(out sevDevice, out _);

    /// <summary>
    /// As <see cref="OpenSource(out ISevGuestDevice?)"/>, also giving the VMPL to use with <paramref name="sevDevice"/>:
    /// <see cref="ConfidentialVmEnvironment.Vmpl"/> is read only on SEV-SNP (configfs-tsm's <c>privlevel</c>, the device's
    /// requests), so a bad value stops nothing that does not use it (configfs-tsm on TDX or CCA, the Azure vTPM).
    /// </summary>
    /// <exception cref="TsmException">No interface answers; the failure of configfs-tsm says why.</exception>
    /// <exception cref="ConfidentialVmConfigurationException">The guest is SEV-SNP and <see cref="ConfidentialVmEnvironment.Vmpl"/> is set but not 0-3.</exception>
    public static IEvidenceSource OpenSource(out ISevGuestDevice? sevDevice, out uint vmpl)
    {
        sevDevice = null;
        vmpl = 0;
        bool emulated = Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.Emulation) is { Length: > 0 };
        try
        {
            // On SEV-SNP a set SECGEAR_CVM_VMPL becomes the entry's privlevel; TDX and CCA never read it.
            var source = new ConfigFsTsmEvidenceSource(CreateTsmClient(), VmplIfSet);
            if (!emulated && source.Tee == ConfidentialVmTee.SevSnp && File.Exists(LinuxSevGuestDevice.DefaultPath))
            {
                // Derived sealing keys come from the device, at the same VMPL.
                vmpl = Vmpl();
                sevDevice = new LinuxSevGuestDevice();
            }

            return source;
        }
        catch (TsmException ex) when (!emulated && ex.Failure is TsmFailureCode.ConfigFsNotMounted or TsmFailureCode.KernelTooOld or TsmFailureCode.ProviderMissing)
        {
            if (OpenAzureVtpm(out _) is { } vtpm)
            {
                return vtpm;
            }

            if (File.Exists(LinuxSevGuestDevice.DefaultPath))
            {
                vmpl = Vmpl();
                var device = new LinuxSevGuestDevice();
                sevDevice = device;
                return new SevGuestDeviceEvidenceSource(device, vmpl);
            }

            if (File.Exists(LinuxTdxGuestDevice.DefaultPath))
            {
                throw new TsmException(
                    TsmFailureCode.NotSupported,
                    $"this is a TDX guest without configfs-tsm ({ex.Message}); {LinuxTdxGuestDevice.DefaultPath} gives only a MAC'd TD report, and a quote needs configfs-tsm (Linux 6.7 or later)");
            }

            throw;
        }
    }

    /// <summary>
    /// Kunpeng virtCCA's own guest interface (Huawei's TSI), reported as unsupported without probing: the references this
    /// engine is built from document neither its device nor its calls, and an invented ABI would be untestable.
    /// </summary>
    public static TeeProbe VirtCcaProbe { get; } = new(
        "virtCCA TSI",
        false,
        "not supported: no documented guest interface (Kunpeng virtCCA guests get tokens through Huawei's TSI, whose device and calls our references do not describe); virtCCA tokens are verified (secgear verify), not produced",
        TsmFailureCode.NotSupported);

    /// <summary>Probes every interface, for <c>secgear platform detect</c>.</summary>
    public static IReadOnlyList<TeeProbe> ProbeAll()
    {
        var probes = new List<TeeProbe>();
        try
        {
            ConfigFsTsm tsm = CreateTsmClient();
            string provider = tsm.ProbeProvider();
            probes.Add(new TeeProbe("configfs-tsm", true, $"provider {provider} at {tsm.ReportRoot}", null));
        }
        catch (TsmException ex)
        {
            probes.Add(new TeeProbe("configfs-tsm", false, ex.Message, ex.Failure));
        }

        probes.Add(ProbeDevice(LinuxSevGuestDevice.DefaultPath, "SEV-SNP reports (SNP_GET_REPORT) and derived sealing keys (SNP_GET_DERIVED_KEY)"));
        probes.Add(ProbeDevice(LinuxTdxGuestDevice.DefaultPath, "TDX TD reports only (quotes need configfs-tsm)"));
        probes.Add(VirtCcaProbe);
        using (var vtpm = OpenAzureVtpm(out var why))
        {
            probes.Add(vtpm is not null
                ? new TeeProbe(TpmPath, true, $"{vtpm.Description}: TPM quotes bind the enclave", null)
                : new TeeProbe(TpmPath, false, why!.Message, why.Failure));
        }

        return probes;
    }

    private static string TpmPath => Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.Tpm) is { Length: > 0 } p ? p : TpmDevicePath;

    /// <summary>The Azure vTPM source when the TPM answers and holds an HCL report; otherwise null and why.</summary>
    private static AzureVtpmEvidenceSource? OpenAzureVtpm(out TsmException? why)
    {
        string path = TpmPath;
        why = null;
        bool socket = path.StartsWith("unix:", StringComparison.Ordinal);
        if (!socket && !File.Exists(path))
        {
            why = new TsmException(TsmFailureCode.ProviderMissing, $"{path} does not exist (no TPM, so no Azure vTPM)");
            return null;
        }

        TpmStreamTransport transport;
        try
        {
            transport = socket ? TpmStreamTransport.ConnectUnixSocket(path["unix:".Length..]) : TpmStreamTransport.OpenDevice(path);
        }
        catch (TpmException ex)
        {
            why = new TsmException(ex.Message.Contains("denied", StringComparison.OrdinalIgnoreCase) ? TsmFailureCode.PermissionDenied : TsmFailureCode.IoError, ex.Message);
            return null;
        }

        try
        {
            return new AzureVtpmEvidenceSource(new VtpmClient(transport), path, transport);
        }
        catch (TsmException ex)
        {
            transport.Dispose();
            why = ex;
            return null;
        }
    }

    private static TeeProbe ProbeDevice(string path, string offers)
    {
        if (!File.Exists(path))
        {
            return new TeeProbe(path, false, $"{path} does not exist (no such guest driver on this machine)", TsmFailureCode.ProviderMissing);
        }

        int fd = Ioctl.OpenReadWrite(path);
        if (fd < 0)
        {
            TsmException error = LinuxSevGuestDevice.DeviceError(-fd, $"open {path}");
            return new TeeProbe(path, false, error.Message, error.Failure);
        }

        Ioctl.CloseDescriptor(fd);
        return new TeeProbe(path, true, $"{path} opens: {offers}", null);
    }

    /// <summary>
    /// The VMPL from <see cref="ConfidentialVmEnvironment.Vmpl"/> when it is set, else null (configfs-tsm then requests
    /// at the provider's default).
    /// </summary>
    /// <exception cref="ConfidentialVmConfigurationException">Set, but not one of 0, 1, 2, 3.</exception>
    public static uint? VmplIfSet() =>
        string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.Vmpl)) ? null : Vmpl();

    /// <summary>The VMPL from <see cref="ConfidentialVmEnvironment.Vmpl"/> (0 when unset), for the SEV-SNP paths only.</summary>
    /// <param name="lookup">Reads a variable; null for the process environment.</param>
    /// <exception cref="ConfidentialVmConfigurationException">Not one of 0, 1, 2, 3.</exception>
    public static uint Vmpl(Func<string, string?>? lookup = null)
    {
        string? text = (lookup ?? Environment.GetEnvironmentVariable)(ConfidentialVmEnvironment.Vmpl);
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        return text is "0" or "1" or "2" or "3"
            ? (uint)(text[0] - '0')
            : throw new ConfidentialVmConfigurationException(ConfidentialVmEnvironment.Vmpl, text,
                $"a VMPL is 0, 1, 2 or 3 (it is read because this is an SEV-SNP guest: it selects the VMPL of reports and derived sealing keys)");
    }
}
