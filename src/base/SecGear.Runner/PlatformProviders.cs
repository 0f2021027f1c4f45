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
    public static ITrustedPlatform? Create(string? name, EnclaveIdentity identity)
    {
        switch (name)
        {
            case null or "simulation":
                return null;
            case ConfidentialVm:
                IEvidenceSource source = ConfidentialVmDetection.OpenSource(out var sevDevice);
                ISealingKeyBroker? broker = KeyBroker();
                Console.Error.WriteLine($"secgear-runner: confidential-VM platform services from {source.Description}{(broker is null ? "" : $", sealing roots from {broker.Description}")}");
                return new ConfidentialVmPlatform(identity, source, sevDevice, ConfidentialVmDetection.Vmpl(), broker);
            default:
                throw new ArgumentException($"Unknown --platform '{name}'; expected simulation or {ConfidentialVm}.");
        }
    }

    /// <summary>The key broker named by <see cref="ConfidentialVmEnvironment.KeyBroker"/> (and its policy), or null.</summary>
    /// <exception cref="ArgumentException">The URL is not absolute http(s), or the policy is missing or not an id.</exception>
    private static AttestationServiceSealingKeyBroker? KeyBroker()
    {
        string? url = Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.KeyBroker);
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{ConfidentialVmEnvironment.KeyBroker} '{url}' is not an absolute http(s) URL.");
        }

        string policy = Environment.GetEnvironmentVariable(ConfidentialVmEnvironment.KeyBrokerPolicy) is { Length: > 0 } p
            ? p
            : throw new ArgumentException($"{ConfidentialVmEnvironment.KeyBroker} is set but {ConfidentialVmEnvironment.KeyBrokerPolicy} (the appraisal policy id) is not.");
        return new AttestationServiceSealingKeyBroker(uri, policy);
    }
}
