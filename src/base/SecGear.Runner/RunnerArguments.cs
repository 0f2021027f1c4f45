using System.Globalization;

namespace SecGear.Runner;

/// <summary>Command line of the runner, as the host's simulation engine writes it.</summary>
internal sealed record RunnerArguments(string ImagePath, int MaxPayload, int SlotSize, bool Debug, string? PlatformSecretPath, SecGear.Switchless.SwitchlessConfig? Switchless)
{
    /// <summary>The platform services the enclave gets: null for the simulated platform, or a name <see cref="PlatformProviders"/> knows.</summary>
    public string? Platform { get; init; }

    public static RunnerArguments Parse(string[] args)
    {
        string? image = null;
        string? secret = null;
        int maxPayload = 64 * 1024 * 1024;
        int slotSize = Transport.RegionLayout.DefaultSlotSize;
        bool debug = false;
        SecGear.Switchless.SwitchlessConfig? switchless = null;
        string? platform = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--image":
                    image = Value(args, ref i);
                    break;
                case "--max-payload":
                    maxPayload = int.Parse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--slot-size":
                    slotSize = int.Parse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--platform-secret":
                    secret = Value(args, ref i);
                    break;
                case "--switchless":
                    switchless = SecGear.Switchless.SwitchlessConfig.Parse(Value(args, ref i));
                    break;
                case "--platform":
                    platform = Value(args, ref i);
                    break;
                case "--debug":
                    debug = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }

        if (image is null)
        {
            throw new ArgumentException("--image is required.");
        }

        if (maxPayload <= 0)
        {
            throw new ArgumentException("--max-payload must be positive.");
        }

        if (slotSize < Transport.RegionLayout.MinSlotSize || slotSize > Transport.RegionLayout.MaxSlotSize || slotSize % 4096 != 0)
        {
            throw new ArgumentException("--slot-size must be a multiple of 4096 between 4 KiB and 16 MiB.");
        }

        return new RunnerArguments(image, maxPayload, slotSize, debug, secret, switchless) { Platform = platform };
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
