using System.Diagnostics;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>
/// <c>--soak OPERATION CLIENTS SECONDS switchless|regular</c>: runs one <see cref="SmallOperationBenchmarks"/> row in a
/// loop for a fixed time and prints operations per second, so a sampling profiler (perf) can be attached to the
/// process and the enclave runner. Not a measurement to report: the BenchmarkDotNet rows are.
/// </summary>
internal static class Soak
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: --soak OPERATION CLIENTS SECONDS switchless|regular|floor");
            return 2;
        }

        var benchmark = new SmallOperationBenchmarks { Operation = args[1], Clients = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) };
        double seconds = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        await benchmark.SetupAsync();
        try
        {
            Func<Task> row = args[4] switch
            {
                "switchless" => benchmark.BinarySwitchless,
                "regular" => benchmark.BinaryRegular,
                "http" => benchmark.HttpSwitchless,
                _ => benchmark.InProcessFloor,
            };
            for (int i = 0; i < 50; i++)
            {
                await row();
            }

            Console.WriteLine($"soak: running {args[1]} x {args[2]} clients ({args[4]}) for {seconds} s, pid {Environment.ProcessId}");
            long invocations = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                await row();
                invocations++;
            }

            double perInvocation = clock.Elapsed.TotalMicroseconds / invocations;
            Console.WriteLine($"soak: {invocations} invocations, {perInvocation / SmallOperationBenchmarks.OperationsPerClient:F1} us per operation per client, {benchmark.Clients * SmallOperationBenchmarks.OperationsPerClient * invocations / clock.Elapsed.TotalSeconds:F0} ops/s");
        }
        finally
        {
            await benchmark.CleanupAsync();
        }

        return 0;
    }
}
