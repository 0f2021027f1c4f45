using SecGear.ConfidentialVm;
using SecGear.ConfidentialVm.Sealing;
using SecGear.Identity;
using SecGear.Trusted.Platform;

namespace SecGear.Runner;

/// <summary>
/// The platform services the runner gives the enclave, chosen by the host's <c>--platform</c> argument: none (the
/// runtime's simulated platform) or <see cref="ConfidentialVm"/> (evidence and keys from the confidential VM's TEE).
/// </summary>
internal static class PlatformProviders
{
    /// <summary>The argument value of the confidential-VM engine.</summary>
    public const string ConfidentialVm = "confidential-vm";

    /// <summary>The platform for <paramref name="name"/>; null for the simulated platform.</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    /// <exception cref="SecGear.ConfidentialVm.Tsm.TsmException">The confidential VM offers no attestation interface.</exception>
    /// <exception cref="ConfidentialVmConfigurationException">A <see cref="ConfidentialVmEnvironment"/> variable the chosen interfaces use is unusable.</exception>
    public static ITrustedPlatform? Create(string? name, EnclaveIdentity identity)
    {
        switch (name)
        {
            case null or "simulation":
                return null;
            case ConfidentialVm:
                IEvidenceSource source = ConfidentialVmDetection.OpenSource(out var sevDevice, out uint vmpl);
                ISealingKeyBroker? broker = AttestationServiceSealingKeyBroker.FromEnvironment();
                Console.Error.WriteLine($"secgear-runner: confidential-VM platform services from {source.Description}{(broker is null ? "" : $", sealing roots from {broker.Description}")}");
                return new ConfidentialVmPlatform(identity, source, sevDevice, vmpl, broker);
            default:
                throw new ArgumentException($"Unknown --platform '{name}'; expected simulation or {ConfidentialVm}.");
        }
    }
}
