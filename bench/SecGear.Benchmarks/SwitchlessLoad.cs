using System.Diagnostics;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Benchmarks;

/// <summary>Which call a switchless-against-regular comparison makes.</summary>
public enum SwitchlessCallKind
{
    /// <summary>Empty synchronous ECALL (switchless, or regular on the opted-out enclave).</summary>
    Ecall,

    /// <summary>Empty OCALLs, 64 per ECALL (switchless, or regular ones).</summary>
    Ocall,

    /// <summary>Empty asynchronous ECALLs, 16 in flight per caller (regular: synchronous ECALLs, the regular path has no async form).</summary>
    Async,
}

/// <summary>
/// Load that makes the contention reproducible: one busy thread per CPU spinning at normal priority for as long as it
/// lives, plus the caller threads of a measurement and their per-call latencies.
/// </summary>
internal sealed class SwitchlessLoad : IDisposable
{
    public const int OcallsPerEcall = 64;
    public const int AsyncInFlight = 16;

    private readonly Thread[] _busy;
    private volatile bool _stop;

    public SwitchlessLoad(int threads)
    {
        _busy = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _busy[i] = new Thread(Spin) { IsBackground = true, Name = $"busy load {i}" };
            _busy[i].Start();
        }
    }

    public int Threads => _busy.Length;

    public void Dispose()
    {
        _stop = true;
        foreach (Thread t in _busy)
        {
            t.Join();
        }
    }

    /// <summary>One caller's operation: calls of <paramref name="kind"/>, returning how many calls it made.</summary>
    public static Func<int> Operation(SwitchlessSetup setup, SwitchlessCallKind kind, bool switchless)
    {
        var response = new WireBuffer();
        IEnclaveChannel plain = setup.Plain;
        switch (kind)
        {
            case SwitchlessCallKind.Ecall when switchless:
                return () => { plain.CallSwitchless(TestEnclaveContract.EcallIds.Empty, [], response); response.Clear(); return 1; };
            case SwitchlessCallKind.Ecall or SwitchlessCallKind.Async when !switchless:
                return () => { plain.Call(TestEnclaveContract.EcallIds.Empty, [], response); response.Clear(); return 1; };
            case SwitchlessCallKind.Ocall:
                byte[] request = SwitchlessSetup.OcallLoopRequest(OcallsPerEcall, switchless);
                return () => { setup.Channel.Call(SwitchlessTestContract.EcallIds.OcallLoop, request, response); response.Clear(); return OcallsPerEcall; };
            default:
                var window = new ValueTask[AsyncInFlight];
                var responses = new WireBuffer[AsyncInFlight];
                for (int i = 0; i < AsyncInFlight; i++)
                {
                    responses[i] = new WireBuffer();
                }

                return () =>
                {
                    Window(plain, window, responses).GetAwaiter().GetResult();
                    return AsyncInFlight;
                };
        }
    }

    /// <summary>Posts a window of asynchronous calls, then awaits each.</summary>
    public static async Task Window(IEnclaveChannel channel, ValueTask[] window, WireBuffer[] responses)
    {
        for (int i = 0; i < window.Length; i++)
        {
            window[i] = channel.CallSwitchlessAsync(TestEnclaveContract.EcallIds.Empty, ReadOnlyMemory<byte>.Empty, responses[i]);
        }

        for (int i = 0; i < window.Length; i++)
        {
            await window[i];
            responses[i].Clear();
        }
    }

    /// <summary>
    /// Runs <paramref name="callers"/> threads making calls for <paramref name="duration"/>: calls per second over all
    /// of them, and the 99th percentile of one operation's time divided by the calls it made.
    /// </summary>
    public static (double CallsPerSecond, double P99Us) Measure(int callers, TimeSpan duration, Func<Func<int>> operation)
    {
        bool stop = false;
        long calls = 0;
        var latencies = new List<double>[callers];
        using var ready = new CountdownEvent(callers);
        using var go = new ManualResetEventSlim();
        var threads = new Thread[callers];
        for (int c = 0; c < callers; c++)
        {
            int index = c;
            latencies[c] = new List<double>(1 << 16);
            threads[c] = new Thread(() =>
            {
                Func<int> op = operation();
                op();
                ready.Signal();
                go.Wait();
                long mine = 0;
                List<double> own = latencies[index];
                while (!Volatile.Read(ref stop))
                {
                    long start = Stopwatch.GetTimestamp();
                    int n = op();
                    own.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / n);
                    mine += n;
                }

                Interlocked.Add(ref calls, mine);
            })
            { IsBackground = true, Name = $"caller {c}" };
            threads[c].Start();
        }

        ready.Wait();
        var watch = Stopwatch.StartNew();
        go.Set();
        Thread.Sleep(duration);
        Volatile.Write(ref stop, true);
        foreach (Thread t in threads)
        {
            t.Join();
        }

        double seconds = watch.Elapsed.TotalSeconds;
        double[] all = [.. latencies.SelectMany(l => l)];
        Array.Sort(all);
        double p99 = all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))];
        return (Interlocked.Read(ref calls) / seconds, p99);
    }

    private void Spin()
    {
        while (!_stop)
        {
            Thread.SpinWait(64);
        }
    }
}
