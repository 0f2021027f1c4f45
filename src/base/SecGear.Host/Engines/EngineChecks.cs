using SecGear.Abi;
using SecGear.Images;
using SecGear.Switchless;

namespace SecGear.Host.Engines;

/// <summary>Checks every built-in engine applies at creation.</summary>
internal static class EngineChecks
{
    /// <summary>
    /// The switchless settings for <paramref name="options"/> (validated): the host's <see cref="SwitchlessOptions"/>;
    /// null when it opted out (<see cref="SwitchlessOptions.Enabled"/> false); the defaults marked
    /// <see cref="SwitchlessConfig.IfDeclared"/> when it said nothing (the pool then starts only if the enclave's
    /// contracts declare <c>transition_using_threads</c> functions). Any other feature, or switchless configured
    /// twice, is refused.
    /// </summary>
    /// <exception cref="ArgumentException">A switchless option is out of range.</exception>
    /// <exception cref="EnclaveNotSupportedException">A feature the built-in engines do not implement.</exception>
    public static SwitchlessConfig? Switchless(string engine, EnclaveOptions options)
    {
        EnclaveFeature[] other = [.. options.Features.Where(f => f is not SwitchlessOptions)];
        if (other.Length > 0)
        {
            throw new EnclaveNotSupportedException(
                $"The {engine} engine does not implement the requested feature(s): {string.Join(", ", other.Select(f => f?.Name ?? "null"))}.");
        }

        SwitchlessOptions[] switchless = [.. options.Features.OfType<SwitchlessOptions>()];
        if (switchless.Length > 1)
        {
            throw new ArgumentException("EnclaveOptions.Features holds SwitchlessOptions more than once.", nameof(options));
        }

        return switchless.Length == 0 ? new SwitchlessOptions().ToConfig(ifDeclared: true)
            : switchless[0].Enabled ? switchless[0].ToConfig()
            : null;
    }

    /// <summary>True when a contract declares a switchless (<c>transition_using_threads</c>) ECALL or OCALL.</summary>
    public static bool DeclaresSwitchless(IEnumerable<ContractDescriptor> contracts) =>
        contracts.Any(c => c.Ecalls.Any(f => f.Switchless) || c.Ocalls.Any(f => f.Switchless));

    /// <summary>A debug enclave may only be created from an image whose signed manifest allows debugging (as on SGX).</summary>
    public static void CheckDebugFlag(EnclaveFlags flags, EnclaveManifest manifest)
    {
        if ((flags & EnclaveFlags.Debug) != 0 && !manifest.Debug)
        {
            throw new EnclaveNotSupportedException($"Enclave '{manifest.Name}' is signed as a production enclave; it cannot be created with EnclaveFlags.Debug.");
        }
    }
}
