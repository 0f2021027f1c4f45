using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using SecGear;
using SecGear.Images;
using SecGear.Runner;
using SecGear.Switchless;
using SecGear.Transport;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Switchless;

// The enclave process of the simulation engine (docs/architecture.md). The host starts it with the image path; it
// verifies the image itself, creates the shared region, reports the identity it computed, and serves ECALLs until
// its standard input closes (the host exited or disposed the enclave).
if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("SecGear.Runner runs on Linux only.");
    return 2;
}

return RunnerMain.Run(args);

/// <summary>Entry point logic (Linux only).</summary>
[SupportedOSPlatform("linux")]
internal static class RunnerMain
{
    public static int Run(string[] args)
    {
        // Before anything secret is loaded: no core dumps, no ptrace by same-uid processes.
        if (!RunnerNative.MakeNonDumpable())
        {
            return Fail(Console.Out, "runner", "prctl(PR_SET_DUMPABLE, 0) failed.");
        }

        // Standard output carries the protocol's JSON lines only; whatever enclave code prints goes to standard error.
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        Console.SetOut(Console.Error);
        RunnerArguments arguments;
        try
        {
            arguments = RunnerArguments.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            return Fail(output, "runner", ex.Message);
        }

        EnclaveImage image;
        try
        {
            image = EnclaveImage.Load(arguments.ImagePath);
        }
        catch (EnclaveImageException ex)
        {
            return Fail(output, "image", ex.Message, ex.Reason.ToString());
        }

        SecGear.Trusted.Platform.ITrustedPlatform? platform;
        try
        {
            platform = PlatformProviders.Create(arguments.Platform, image.Identity);
        }
        catch (Exception ex) when (ex is ArgumentException or SecGearException)
        {
            return Fail(output, "platform", ex.Message);
        }

        var bridge = new RunnerBridge(output);
        EnclaveRuntime runtime;
        try
        {
            runtime = EnclaveRuntime.Start(image, bridge, new EnclaveRuntimeOptions
            {
                MaxPayloadBytes = arguments.MaxPayload,
                Debug = arguments.Debug,
                PlatformSecretPath = arguments.PlatformSecretPath,
                Platform = platform,
            });
        }
        catch (EnclaveLoadException ex)
        {
            return Fail(output, "load", ex.Message);
        }

        int slots = image.Manifest.MaxThreads;
        string regionPath = $"/dev/shm/secgear-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        SharedRegion region;
        try
        {
            region = SharedRegion.Create(regionPath, slots, arguments.SlotSize, arguments.MaxPayload);
        }
        catch (IOException ex)
        {
            return Fail(output, "runner", $"Cannot create the shared region: {ex.Message}");
        }

        bool declaresSwitchless = runtime.Contracts.Any(c => c.Ecalls.Any(f => f.Switchless) || c.Ocalls.Any(f => f.Switchless));
        if (arguments.Switchless is { } switchless && (!switchless.IfDeclared || declaresSwitchless))
        {
            try
            {
                bridge.Switchless = StartSwitchless(regionPath + ".sl", switchless, runtime);
            }
            catch (IOException ex)
            {
                File.Delete(regionPath);
                return Fail(output, "runner", $"Cannot create the switchless pool: {ex.Message}");
            }
        }

        var buffers = new SharedBuffers(regionPath, runtime.SharedMemory, arguments.MaxPayload);
        for (int i = 0; i < slots; i++)
        {
            var thread = new EnclaveThread(region.CreateSlot(i, isHost: false), runtime, buffers);
            new Thread(thread.Run, maxStackSize: 1024 * 1024) { IsBackground = true, Name = $"enclave thread {i}" }.Start();
        }

        output.WriteLine(JsonSerializer.Serialize(
            new StartupMessage
            {
                Region = regionPath,
                SlotCount = slots,
                SlotSize = arguments.SlotSize,
                MaxPayload = arguments.MaxPayload,
                Manifest = image.Manifest,
                Identity = image.Identity,
                Switchless = bridge.Switchless is not null,
            },
            ProtocolJson.Default.StartupMessage));
        output.Flush();

        // The host holds the other end of standard input and never writes to it: end of file means the host exited
        // (even if it was killed) or disposed the enclave. This does not depend on which host thread started us.
        using Stream input = Console.OpenStandardInput();
        byte[] buffer = new byte[64];
        while (input.Read(buffer) > 0)
        {
        }

        File.Delete(regionPath);
        OverflowFile.DeleteAll(regionPath);
        RunnerNative.Exit(0);
        return 0;
    }

    /// <summary>Creates the pool file (mode 0600), writes its header and starts the trusted workers.</summary>
    private static unsafe TrustedSwitchless StartSwitchless(string path, SwitchlessConfig config, EnclaveRuntime runtime)
    {
        // The mapping lives as long as the process: the workers poll it until the runner exits.
        MappedFile pool = MappedFile.Create(path, config.PoolSize);
        byte* header = pool.Pointer;
        *(int*)(header + PoolLayout.OffVersion) = PoolLayout.Version;
        *(int*)(header + PoolLayout.OffTaskCount) = config.Tasks;
        *(int*)(header + PoolLayout.OffTaskSize) = config.TaskSize;
        *(int*)(header + PoolLayout.OffInline) = config.InlineCapacity;
        Volatile.Write(ref *(ulong*)(header + PoolLayout.OffMagic), PoolLayout.Magic);
        var workers = new TrustedSwitchless(pool.Pointer, config, runtime, text => Console.Error.WriteLine(text));
        workers.Start();
        return workers;
    }

    private static int Fail(TextWriter output, string error, string message, string? imageError = null)
    {
        output.WriteLine(JsonSerializer.Serialize(
            new StartupMessage { Error = error, Message = message, ImageError = imageError },
            ProtocolJson.Default.StartupMessage));
        output.Flush();
        return 3;
    }
}
