using System.Globalization;
using System.Text.RegularExpressions;
using SecGear.Images;
using SecGear.Transport;

namespace SecGear.Host.Runner;

/// <summary>
/// Checks of the runner's start-up message before the host maps anything it names. The runner is the enclave side:
/// its message is hostile input, so each check is named and its failure says the field, the value found and the value
/// expected, as the attestation verifiers do.
/// </summary>
internal static partial class RunnerStartup
{
    /// <summary>Turns a runner that reported a start-up failure into the matching typed exception.</summary>
    /// <exception cref="EnclaveImageException">The runner refused the image.</exception>
    /// <exception cref="EnclaveLoadException">The runner could not load the enclave's assemblies.</exception>
    /// <exception cref="EnclaveLostException">The runner failed otherwise.</exception>
    public static void ThrowIfFailed(StartupMessage startup)
    {
        switch (startup.Error)
        {
            case null:
                return;
            case "image":
                throw new EnclaveImageException(
                    Enum.TryParse(startup.ImageError, out EnclaveImageFailureCode reason) ? reason : EnclaveImageFailureCode.Unreadable,
                    $"The enclave runner refused the image: {startup.Message}");
            case "load":
                throw new EnclaveLoadException(startup.Message ?? "The enclave could not be loaded.");
            default:
                throw new EnclaveLostException($"The enclave runner failed to start: {startup.Message}");
        }
    }

    /// <summary>
    /// Checks a successful start-up message against what the host asked for (<paramref name="options"/>) and against
    /// itself (one slot per enclave thread of the signed manifest).
    /// </summary>
    /// <returns>The checked fields.</returns>
    /// <exception cref="EnclaveLostException">The message is inconsistent; the text names the field, found and expected.</exception>
    public static RunnerReady Check(StartupMessage startup, EnclaveOptions options)
    {
        if (startup.Region is null || !RegionName().IsMatch(startup.Region))
        {
            throw Inconsistent("Region", startup.Region is null ? "missing" : $"'{startup.Region}'", "a path /dev/shm/secgear-<pid>-<16 hex digits>");
        }

        if (startup.Manifest is null)
        {
            throw Inconsistent("Manifest", "missing", "the signed manifest of the image");
        }

        if (startup.Identity is null)
        {
            throw Inconsistent("Identity", "missing", "the identity computed from the image");
        }

        if (startup.Identity.Measurement is not { Length: 32 })
        {
            throw Inconsistent("Identity.Measurement", Length(startup.Identity.Measurement), "32 bytes");
        }

        if (startup.Identity.Signer is not { Length: 32 })
        {
            throw Inconsistent("Identity.Signer", Length(startup.Identity.Signer), "32 bytes");
        }

        if (startup.SlotCount is < 1 or > RegionLayout.MaxSlots)
        {
            throw Inconsistent("SlotCount", Number(startup.SlotCount), $"1 to {Number(RegionLayout.MaxSlots)}");
        }

        if (startup.SlotCount != startup.Manifest.MaxThreads)
        {
            throw Inconsistent("SlotCount", Number(startup.SlotCount), $"the manifest's MaxThreads ({Number(startup.Manifest.MaxThreads)})");
        }

        if (startup.SlotSize != RegionLayout.DefaultSlotSize)
        {
            throw Inconsistent("SlotSize", Number(startup.SlotSize), Number(RegionLayout.DefaultSlotSize));
        }

        if (startup.MaxPayload != options.MaxPayloadBytes)
        {
            throw Inconsistent("MaxPayload", Number(startup.MaxPayload), $"EnclaveOptions.MaxPayloadBytes ({Number(options.MaxPayloadBytes)})");
        }

        return new RunnerReady(
            startup.Region, startup.SlotCount, startup.SlotSize, startup.MaxPayload, startup.Manifest, startup.Identity, startup.Switchless);
    }

    private static EnclaveLostException Inconsistent(string field, string found, string expected) =>
        new($"The enclave runner's start-up message is inconsistent: {field} is {found}; expected {expected}.");

    private static string Length(byte[]? value) => value is null ? "missing" : $"{Number(value.Length)} bytes";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^/dev/shm/secgear-[0-9]+-[0-9a-f]{16}$")]
    private static partial Regex RegionName();
}
