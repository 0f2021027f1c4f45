using SecGear.ConfidentialVm;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Host.Engines;
using SecGear.Host.Runner;

namespace SecGear.Host.ConfidentialVm;

/// <summary>
/// The confidential-VM engine (docs/confidential-vm.md): the enclave runs in a SecGear.Runner process exactly as on
/// the simulation engine (same image verification and call transport); the runner is started with
/// <c>--platform confidential-vm</c> and gives the enclave evidence and sealing keys from the VM's TEE. Available
/// only where an attestation provider answers (configfs-tsm, or /dev/sev-guest).
/// </summary>
internal sealed class ConfidentialVmEngine : IEnclaveEngine
{
    private static readonly Lock Gate = new();
    private static (string Key, bool Available, string Detail)? s_probe;

    public EnclaveType Type => EnclaveType.ConfidentialVm;

    public string Name => "confidential-vm";

    public bool IsAvailable => Probe().Available;

    /// <summary>Above the simulation engine: <see cref="EnclaveType.Auto"/> prefers real hardware where it answers.</summary>
    public int Priority => 100;

    /// <summary>Which provider answers, or why none does (cached per environment).</summary>
    public static string AvailabilityDetail => Probe().Detail;

    public IEnclaveInstance Create(string imagePath, EnclaveFlags flags, EnclaveOptions options)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new EnclaveNotSupportedException("The confidential-VM engine runs in Linux guests only.");
        }

        var (available, detail) = Probe();
        if (!available)
        {
            throw new EnclaveNotSupportedException($"The confidential-VM engine is not available on this machine: {detail}");
        }

        string[] platform = options.PlatformSecretPath is null
            ? ["--platform", "confidential-vm"]
            : ["--platform", "confidential-vm", "--platform-secret", options.PlatformSecretPath];
        return RunnerEnclave.Start(new RunnerLaunch(Name, imagePath, flags, EngineChecks.Switchless(Name, options), platform), options);
    }

    private static (bool Available, string Detail) Probe()
    {
        // The environment can point detection at another (or an emulated) configfs-tsm; probe again when it changes.
        string key = $"{Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.Emulation)}|{Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.TsmRoot)}";
        lock (Gate)
        {
            if (s_probe is { } cached && cached.Key == key)
            {
                return (cached.Available, cached.Detail);
            }

            (bool, string) result;
            if (!OperatingSystem.IsLinux())
            {
                result = (false, "not a Linux guest");
            }
            else
            {
                try
                {
                    var source = ConfidentialVmDetection.OpenSource(out _);
                    result = (true, source.Description);
                    (source as IDisposable)?.Dispose();
                }
                catch (TsmException ex)
                {
                    result = (false, $"{ex.Failure}: {ex.Message}");
                }
                catch (ConfidentialVmConfigurationException ex)
                {
                    result = (false, ex.Message);
                }
            }

            s_probe = (key, result.Item1, result.Item2);
            return result;
        }
    }
}
