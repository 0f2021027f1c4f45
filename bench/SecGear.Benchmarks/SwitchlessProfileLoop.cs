using System.Diagnostics;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;

namespace SecGear.Benchmarks;

/// <summary>
/// <c>--profile-loop ecall|ocall|async [seconds]</c>: nothing but empty switchless calls of one kind on the pool alone
/// (no path choice) for a while, for a profiler to attach to (e.g. <c>perf record -g</c> with
/// <c>DOTNET_PerfMapEnabled=1</c>; the runner inherits both). Prints calls per second and the process ids.
/// </summary>
internal static class SwitchlessProfileLoop
{
    public static int Run(string kind, double seconds)
    {
        SwitchlessCallKind call = kind switch
        {
            "ecall" => SwitchlessCallKind.Ecall,
            "ocall" => SwitchlessCallKind.Ocall,
            "async" => SwitchlessCallKind.Async,
            _ => (SwitchlessCallKind)(-1),
        };
        if (call < 0 || seconds is <= 0 or > 600)
        {
            Console.Error.WriteLine("usage: SecGear.Benchmarks --profile-loop ecall|ocall|async [seconds, 1-600]");
            return 2;
        }

        using var setup = new SwitchlessSetup(new SwitchlessOptions { Adaptive = false });
        Console.WriteLine($"host pid {Environment.ProcessId}, runner pid {setup.Enclave.RunnerProcessId}");
        Func<int> operation = SwitchlessLoad.Operation(setup, call, switchless: true);
        for (int i = 0; i < 1000; i++)
        {
            operation();
        }

        long calls = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 1000; i++)
            {
                calls += operation();
            }
        }

        double perSecond = calls / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{kind}: {perSecond / 1e6:F3} M calls/s ({1e6 / perSecond:F3} us per call), {setup.Enclave.SwitchlessStatistics}");
        return 0;
    }
}
