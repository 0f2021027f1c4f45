using System.Diagnostics;
using System.Globalization;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Benchmarks;

/// <summary>
/// <c>--quick</c>: a Stopwatch run (well under 2 minutes) of the switchless measurements, printed as one table with
/// the ratios the targets are stated in. Each figure is the median over batches, all measured in the same run as the
/// native floors. Then a contention section: one busy thread per CPU for its duration, and switchless against regular
/// throughput and p99 for 1, 2 and 8 callers (regular and switchless rounds interleaved, medians compared). For
/// confidence intervals run the BenchmarkDotNet classes (Switchless*Benchmarks).
/// </summary>
internal static class SwitchlessQuick
{
    private const int Batches = 15;

    public static int Run(bool callsOnly = false)
    {
        var rows = new List<(string Name, string Value, string Ratio, string Target)>();
        var watch = Stopwatch.StartNew();
        var response = new WireBuffer();

        // The floors and the regular calls are measured before any switchless worker exists, so none competes with them.
        double spinUs, futexUs;
        using (var spin = NativePingPong.Spin())
        {
            spinUs = Median(2000, spin.RoundTrip);
        }

        using (var futex = NativePingPong.Futex())
        {
            futexUs = Median(2000, futex.RoundTrip);
        }

        using var regular = new SwitchlessSetup(null);
        double regularUs = Median(2000, () => { regular.Plain.Call(TestEnclaveContract.EcallIds.Empty, [], response); response.Clear(); });
        byte[] regularOcalls = SwitchlessSetup.OcallLoopRequest(200, switchless: false);
        double regularOcallUs = Median(10, () => { regular.Channel.Call(SwitchlessTestContract.EcallIds.OcallLoop, regularOcalls, response); response.Clear(); }) / 200;

        using var switchless = new SwitchlessSetup(new SwitchlessOptions());
        var paths = new PathTally(switchless.Enclave);
        double switchlessUs = Median(2000, () => { switchless.Plain.CallSwitchless(TestEnclaveContract.EcallIds.Empty, [], response); response.Clear(); });
        paths.Row("switchless empty ECALL");
        double asyncUs = Median(2000, () => { switchless.Plain.CallSwitchlessAsync(TestEnclaveContract.EcallIds.Empty, ReadOnlyMemory<byte>.Empty, response).AsTask().GetAwaiter().GetResult(); response.Clear(); });
        paths.Row("async switchless ECALL (awaited)");
        byte[] switchlessOcalls = SwitchlessSetup.OcallLoopRequest(200, switchless: true);
        double switchlessOcallUs = Median(10, () => { switchless.Channel.Call(SwitchlessTestContract.EcallIds.OcallLoop, switchlessOcalls, response); response.Clear(); }) / 200;
        paths.Row("switchless empty OCALL");

        // The pool alone (no path choice): what switchless calls cost when the pacer keeps them on the pool.
        double rawUs, rawOcallUs;
        using (var raw = new SwitchlessSetup(new SwitchlessOptions { Adaptive = false }))
        {
            var rawPaths = new PathTally(raw.Enclave);
            rawUs = Median(2000, () => { raw.Plain.CallSwitchless(TestEnclaveContract.EcallIds.Empty, [], response); response.Clear(); });
            rawPaths.Row("switchless ECALL, pool only");
            rawOcallUs = Median(10, () => { raw.Channel.Call(SwitchlessTestContract.EcallIds.OcallLoop, switchlessOcalls, response); response.Clear(); }) / 200;
            rawPaths.Row("switchless OCALL, pool only");
            paths.Add(rawPaths);
        }

        // A spin floor only means something when both spinning threads had a core: on a busy machine one of them is
        // descheduled and the "floor" becomes a scheduler round trip, so a comparison with it would say "met" falsely.
        bool floorValid = spinUs < futexUs;
        string FloorCheck(double us) => floorValid
            ? Check(us <= 2 * spinUs, "<= 2x floor")
            : "not measurable <= 2x floor (spin ping-pong not faster than futex: a spinning thread was descheduled)";
        rows.Add(("native spin ping-pong (floor)", Us(spinUs), "1.00", ""));
        rows.Add(("native futex ping-pong", Us(futexUs), X(futexUs / spinUs), ""));
        rows.Add(("regular empty ECALL", Us(regularUs), X(regularUs / spinUs), ""));
        rows.Add(("switchless empty ECALL", Us(switchlessUs), X(switchlessUs / spinUs), FloorCheck(switchlessUs)));
        rows.Add(("  speed-up over regular ECALL", X(regularUs / switchlessUs), "", Check(regularUs / switchlessUs >= 30, ">= 30x")));
        rows.Add(("async switchless ECALL (awaited)", Us(asyncUs), X(asyncUs / spinUs), ""));
        rows.Add(("regular empty OCALL", Us(regularOcallUs), X(regularOcallUs / spinUs), ""));
        rows.Add(("switchless empty OCALL", Us(switchlessOcallUs), X(switchlessOcallUs / spinUs), FloorCheck(switchlessOcallUs)));
        rows.Add(("  speed-up over regular OCALL", X(regularOcallUs / switchlessOcallUs), "", Check(regularOcallUs / switchlessOcallUs >= 30, ">= 30x")));
        rows.Add(("switchless ECALL, pool only (no path choice)", Us(rawUs), X(rawUs / spinUs), FloorCheck(rawUs) + ", " + Check(regularUs / rawUs >= 30, ">= 30x regular")));
        rows.Add(("switchless OCALL, pool only (no path choice)", Us(rawOcallUs), X(rawOcallUs / spinUs), FloorCheck(rawOcallUs) + ", " + Check(regularOcallUs / rawOcallUs >= 30, ">= 30x regular")));
        paths.Skip();
        var asyncOne = SwitchlessLoad.Measure(1, TimeSpan.FromMilliseconds(500), () => SwitchlessLoad.Operation(switchless, SwitchlessCallKind.Async, switchless: true));
        paths.Row($"async, {SwitchlessLoad.AsyncInFlight} in flight");
        rows.Add(($"async, {SwitchlessLoad.AsyncInFlight} in flight from one thread", $"{asyncOne.CallsPerSecond / 1e6:F2} M calls/s", "", Check(asyncOne.CallsPerSecond >= 1e6, ">= 1 M/s")));

        if (callsOnly)
        {
            Print(rows, watch, switchless.Enclave.SwitchlessStatistics, paths);
            return 0;
        }

        using (var payload = new SwitchlessSetup(new SwitchlessOptions { PoolSize = 4, MaxInlinePayload = (1 << 20) + 64 }))
        {
            foreach (int size in (int[])[64, 4096, 65536, 1 << 20])
            {
                byte[] request = SwitchlessSetup.BytesRequest(size);
                using SharedMemory shared = payload.Enclave.AllocateSharedMemory(size);
                Random.Shared.NextBytes(shared.Span);
                byte[] sharedRequest = SwitchlessSetup.SharedRequest(shared.Token, size);
                int n = size >= 65536 ? 20 : 500;
                double copied = Median(n, () => { payload.Channel.Call(SwitchlessTestContract.EcallIds.SumBytes, request, response); response.Clear(); });
                double slCopied = Median(n, () => { payload.Channel.CallSwitchless(SwitchlessTestContract.EcallIds.SumBytes, request, response); response.Clear(); });
                double inPlace = Median(n, () => { payload.Channel.CallSwitchless(SwitchlessTestContract.EcallIds.SumShared, sharedRequest, response); response.Clear(); });
                string label = size >= 1 << 20 ? "1 MiB" : size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";
                rows.Add(($"{label}: regular / switchless / shared", $"{Us(copied)} / {Us(slCopied)} / {Us(inPlace)}", $"shared {X(copied / inPlace)} faster",
                    size == 1 << 20 ? Check(copied / inPlace >= 5, ">= 5x") : ""));
            }
        }

        // Long calls: CPU work on a shared buffer (no copy; like federated SQL's merge of a record) and a 1 ms sleep.
        using (SharedMemory regularShared = regular.Enclave.AllocateSharedMemory(1 << 20), switchlessShared = switchless.Enclave.AllocateSharedMemory(1 << 20))
        {
            Random.Shared.NextBytes(regularShared.Span);
            Random.Shared.NextBytes(switchlessShared.Span);
            foreach (int size in (int[])[16384, 1 << 20])
            {
                byte[] onRegular = SwitchlessSetup.SharedRequest(regularShared.Token, size), onSwitchless = SwitchlessSetup.SharedRequest(switchlessShared.Token, size);
                foreach (int callers in (int[])[1, 2])
                {
                    paths.Skip();
                    Comparison c = Compare(() => LongCall(regular, onRegular, switchless: false), () => LongCall(switchless, onSwitchless, switchless: true), callers);
                    paths.Row($"long call, sum {size / 1024} KiB, {callers} caller(s)");
                    rows.Add(($"long call, sum {size / 1024} KiB in place, {callers} caller(s)", $"{1e6 / c.Regular * callers:F1} / {1e6 / c.Switchless * callers:F1} us per call", X(c.Ratio),
                        Check(c.Ratio >= 0.95, ">= 0.95x") + $", p99 {X(c.P99Ratio)} " + Check(c.P99Ratio <= 1.2, "<= 1.2x")));
                }
            }

            byte[] sleep = SwitchlessSetup.SleepRequest(1);
            foreach (int callers in (int[])[1, 2])
            {
                paths.Skip();
                Comparison c = Compare(() => LongCall(regular, sleep, switchless: false, SwitchlessTestContract.EcallIds.SlSleep), () => LongCall(switchless, sleep, switchless: true, SwitchlessTestContract.EcallIds.SlSleep), callers);
                paths.Row($"long call, 1 ms sleep, {callers} caller(s)");
                rows.Add(($"long call, 1 ms sleep, {callers} caller(s)", $"{1e6 / c.Regular * callers:F0} / {1e6 / c.Switchless * callers:F0} us per call", X(c.Ratio),
                    Check(c.Ratio >= 0.95, ">= 0.95x") + $", p99 {X(c.P99Ratio)} " + Check(c.P99Ratio <= 1.2, "<= 1.2x")));
            }
        }

        foreach (int callers in (int[])[1, 2, 4, 8, 16])
        {
            paths.Skip();
            Comparison c = Compare(regular, switchless, SwitchlessCallKind.Ecall, callers);
            paths.Row($"{callers} caller(s) ECALL");
            rows.Add(($"{callers} caller(s): regular / switchless", $"{c.Regular / 1000:F0} / {c.Switchless / 1000:F0} k calls/s", X(c.Ratio), Check(c.Ratio >= 0.95, ">= 0.95x") + $", p99 {X(c.P99Ratio)} " + Check(c.P99Ratio <= 1.2, "<= 1.2x")));
        }

        double idleWakeup = IdleCpu(new SwitchlessOptions());
        double idleBusy = IdleCpu(new SwitchlessOptions { WorkerPolicy = SwitchlessWorkerPolicy.Busy });
        rows.Add(("idle worker CPU, Wakeup (runner)", $"{idleWakeup:F1} % of a core", "", Check(idleWakeup < 2, "near 0 (< 2 %)")));
        rows.Add(("idle worker CPU, Busy (runner)", $"{idleBusy:F1} % of a core", "", ""));

        Print(rows, watch, switchless.Enclave.SwitchlessStatistics, paths);

        // Contention: every CPU busy with a spinning thread for the whole section.
        var contended = new List<string>();
        using (var load = new SwitchlessLoad(Environment.ProcessorCount))
        {
            Console.WriteLine();
            Console.WriteLine($"contention section: {load.Threads} busy threads (one per CPU) for its duration; regular and switchless rounds interleaved");
            foreach (int callers in (int[])[1, 2, 8])
            {
                paths.Skip();
                Comparison ecall = Compare(regular, switchless, SwitchlessCallKind.Ecall, callers);
                paths.Row($"contended, {callers} caller(s) Ecall");
                Console.WriteLine($"under contention ({load.Threads} busy threads, {callers} callers): switchless/regular throughput {ecall.Ratio.ToString("F2", CultureInfo.InvariantCulture)}x");
                foreach (SwitchlessCallKind kind in (SwitchlessCallKind[])[SwitchlessCallKind.Ecall, SwitchlessCallKind.Ocall, SwitchlessCallKind.Async])
                {
                    Comparison c = kind == SwitchlessCallKind.Ecall ? ecall : Compare(regular, switchless, kind, callers);
                    if (kind != SwitchlessCallKind.Ecall)
                    {
                        paths.Row($"contended, {callers} caller(s) {kind}");
                    }

                    contended.Add($"  {kind,-6} {callers,2} callers: regular / switchless {c.Regular / 1000,8:F1} / {c.Switchless / 1000,8:F1} k calls/s = {X(c.Ratio)} ({Check(c.Ratio >= 0.95, ">= 0.95x")}), p99 {X(c.P99Ratio)} ({Check(c.P99Ratio <= 1.2, "<= 1.2x")})");
                }
            }

            using SharedMemory regularShared = regular.Enclave.AllocateSharedMemory(16384), switchlessShared = switchless.Enclave.AllocateSharedMemory(16384);
            byte[] onRegular = SwitchlessSetup.SharedRequest(regularShared.Token, 16384), onSwitchless = SwitchlessSetup.SharedRequest(switchlessShared.Token, 16384);
            foreach (int callers in (int[])[1, 2])
            {
                paths.Skip();
                Comparison c = Compare(() => LongCall(regular, onRegular, switchless: false), () => LongCall(switchless, onSwitchless, switchless: true), callers);
                paths.Row($"contended, long 16 KiB, {callers} caller(s)");
                contended.Add($"  long (sum 16 KiB in place) {callers} callers: regular / switchless {c.Regular / 1000,8:F1} / {c.Switchless / 1000,8:F1} k calls/s = {X(c.Ratio)} ({Check(c.Ratio >= 0.95, ">= 0.95x")}), p99 {X(c.P99Ratio)} ({Check(c.P99Ratio <= 1.2, "<= 1.2x")})");
            }
        }

        foreach (string line in contended)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine($"switchless enclave counters after the contention section: {switchless.Enclave.SwitchlessStatistics}");
        paths.Print();
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        return 0;
    }

    private static void Print(List<(string Name, string Value, string Ratio, string Target)> rows, Stopwatch watch, SwitchlessStatistics stats, PathTally paths)
    {
        Console.WriteLine();
        Console.WriteLine($"SecGear.NET switchless quick summary ({Environment.ProcessorCount} CPUs, load average {LoadAverage()}, {watch.Elapsed.TotalSeconds:F0} s)");
        Console.WriteLine($"{"measurement",-44} {"median",-30} {"ratio",-22} target");
        Console.WriteLine(new string('-', 120));
        foreach (var row in rows)
        {
            Console.WriteLine($"{row.Name,-44} {row.Value,-30} {row.Ratio,-22} {row.Target}");
        }

        Console.WriteLine($"switchless enclave counters: {stats}");
        paths.Print();
    }

    private readonly record struct Comparison(double Regular, double Switchless, double Ratio, double P99Ratio);

    /// <summary>
    /// Regular and switchless rounds interleaved in alternating order (so drifting background load hits both alike);
    /// the ratios are the medians of the per-pair ratios, the throughputs the medians of the rounds.
    /// </summary>
    private static Comparison Compare(SwitchlessSetup regular, SwitchlessSetup switchless, SwitchlessCallKind kind, int callers) =>
        Compare(() => SwitchlessLoad.Operation(regular, kind, switchless: false), () => SwitchlessLoad.Operation(switchless, kind, switchless: true), callers);

    /// <summary>One caller's long call (<c>sum_shared</c> by default), switchless or regular.</summary>
    private static Func<int> LongCall(SwitchlessSetup setup, byte[] request, bool switchless, int function = SwitchlessTestContract.EcallIds.SumShared)
    {
        var response = new WireBuffer();
        if (switchless)
        {
            return () => { setup.Channel.CallSwitchless(function, request, response); response.Clear(); return 1; };
        }

        return () => { setup.Channel.Call(function, request, response); response.Clear(); return 1; };
    }

    private static Comparison Compare(Func<Func<int>> regularOperation, Func<Func<int>> switchlessOperation, int callers, int rounds = 7)
    {
        var duration = TimeSpan.FromMilliseconds(150);
        double[] r = new double[rounds], s = new double[rounds], ratio = new double[rounds], p99 = new double[rounds];
        for (int i = 0; i < rounds; i++)
        {
            (double Cps, double P99) a, b;
            if (i % 2 == 0)
            {
                a = SwitchlessLoad.Measure(callers, duration, regularOperation);
                b = SwitchlessLoad.Measure(callers, duration, switchlessOperation);
            }
            else
            {
                b = SwitchlessLoad.Measure(callers, duration, switchlessOperation);
                a = SwitchlessLoad.Measure(callers, duration, regularOperation);
            }

            (r[i], s[i], ratio[i], p99[i]) = (a.Cps, b.Cps, b.Cps / a.Cps, b.P99 / a.P99);
        }

        return new Comparison(MedianOf(r), MedianOf(s), MedianOf(ratio), MedianOf(p99));
    }

    private static double MedianOf(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted[sorted.Length / 2];
    }

    private static double Median(int operations, Action operation)
    {
        for (int i = 0; i < Math.Max(1, operations / 4); i++)
        {
            operation();
        }

        double[] perOp = new double[Batches];
        for (int b = 0; b < Batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < operations; i++)
            {
                operation();
            }

            perOp[b] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / operations;
        }

        Array.Sort(perOp);
        return perOp[Batches / 2];
    }

    /// <summary>CPU the runner burns while its switchless enclave is idle, after the workers had time to go to sleep.</summary>
    private static double IdleCpu(SwitchlessOptions options)
    {
        using var setup = new SwitchlessSetup(options);
        setup.Plain.CallSwitchless(TestEnclaveContract.EcallIds.Empty, [], new WireBuffer());
        Thread.Sleep(1000);
        using Process runner = Process.GetProcessById(setup.Enclave.RunnerProcessId);
        TimeSpan before = runner.TotalProcessorTime;
        Thread.Sleep(2000);
        runner.Refresh();
        return (runner.TotalProcessorTime - before).TotalMilliseconds / 2000 * 100;
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Us(double us) => us.ToString(us < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) + " us";

    private static string X(double ratio) => ratio.ToString("F2", CultureInfo.InvariantCulture) + "x";

    private static string Check(bool met, string target) => (met ? "met " : "MISSED ") + target;
}
