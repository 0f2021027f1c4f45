using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using SecGear.Abi;
using SecGear.Host.Runner;
using SecGear.Switchless;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>
/// Asynchronous switchless calls fall back to a regular call when no worker accepts them in time (each runs once),
/// reuse their pooled sources instead of allocating per call; and a caller waiting for a long call sleeps instead of
/// spinning.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed partial class SwitchlessAsyncTests(TestImages images)
{
    private const int ClockThreadCpuTime = 3;

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task An_async_call_no_stopped_worker_accepts_falls_back_to_a_regular_call_that_runs_once()
    {
        await using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.Simulation, new SwitchlessOptions { FallbackTimeout = TimeSpan.FromMilliseconds(100) });
        var (client, ocalls) = SwitchlessTests.Bind(enclave);
        Assert.Equal([1], client.Echo([1]));
        Thread.Sleep(300);
        long before = enclave.SwitchlessStatistics.FallbacksNotAccepted;

        int runner = enclave.RunnerProcessId;
        using var stopped = StoppedProcess.Stop(runner);
        Task<byte[]> first;
        Task call;
        try
        {
            // Two in flight, so the second is not the solo call that spins for its answer: both are awaited by continuation.
            first = client.EchoViaRegularOcallAsync([7, 8, 9]).AsTask();
            call = Task.WhenAll(first, client.EchoViaRegularOcallAsync([4]).AsTask());
            var watch = Stopwatch.StartNew();
            while (enclave.SwitchlessStatistics.FallbacksNotAccepted < before + 2 && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(5);
            }

            // The regular calls they fell back to wait for the stopped enclave thread, as any regular call would.
            Assert.Equal(before + 2, enclave.SwitchlessStatistics.FallbacksNotAccepted);
            Assert.False(call.IsCompleted, "the calls completed while the runner was stopped");
        }
        finally
        {
            stopped.Continue();
        }

        await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([7, 8, 9], await first);
        Assert.Equal(2, ocalls.Calls);
        Assert.Equal(1, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(SwitchlessTests.Engines), MemberType = typeof(SwitchlessTests))]
    public async Task An_async_call_behind_a_worker_busy_with_a_long_call_falls_back_and_completes_first(EnclaveType type)
    {
        await using Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions { FallbackTimeout = TimeSpan.FromMilliseconds(50), TrustedWorkers = 1 });
        var (client, _) = SwitchlessTests.Bind(enclave);
        ValueTask sleeping = client.SleepAsync(3000);
        Thread.Sleep(100);

        Assert.Equal([5], await client.EchoAsync([5]));

        Assert.False(sleeping.IsCompleted, "the long call ended before the call queued behind it: the test proves nothing");
        Assert.Equal(1, enclave.SwitchlessStatistics.FallbacksNotAccepted);
        await sleeping;
    }

    [Fact]
    public void Async_calls_in_flight_reuse_pooled_sources_and_allocate_nothing_per_call()
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.InProcess, new SwitchlessOptions { Adaptive = false, FallbackTimeout = SwitchlessTests.NoFallback });
        IEnclaveChannel channel = SwitchlessTests.Bind(enclave).Client.Channel;
        ReadOnlyMemory<byte> request = BitConverter.GetBytes(41L);
        const int Window = 8;
        var responses = new WireBuffer[Window];
        var window = new ValueTask[Window];
        for (int i = 0; i < Window; i++)
        {
            responses[i] = new WireBuffer(64);
        }

        long wrong = 0;
        void Round()
        {
            for (int i = 0; i < Window; i++)
            {
                responses[i].Clear();
                window[i] = channel.CallSwitchlessAsync(SwitchlessTestContract.EcallIds.SlIncrement, request, responses[i]);
            }

            for (int i = 0; i < Window; i++)
            {
                while (!window[i].IsCompleted)
                {
                    Thread.SpinWait(10);
                }

                window[i].GetAwaiter().GetResult();
                wrong += BitConverter.ToInt64(responses[i].WrittenSpan) == 42 ? 0 : 1;
            }
        }

        for (int r = 0; r < 20; r++)
        {
            Round();
        }

        const int Rounds = 200;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int r = 0; r < Rounds; r++)
        {
            Round();
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(0, wrong);
        Assert.True(allocated < Rounds * Window, $"{Rounds * Window} asynchronous calls allocated {allocated} bytes on the calling thread");
        Assert.Equal((20 + Rounds) * Window, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(SwitchlessTests.Engines), MemberType = typeof(SwitchlessTests))]
    public void A_caller_waiting_for_a_long_switchless_call_sleeps_instead_of_spinning(EnclaveType type)
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, type);
        var (client, _) = SwitchlessTests.Bind(enclave);
        client.Sleep(1);

        long before = ThreadCpuMicroseconds();
        client.Sleep(400);
        long used = ThreadCpuMicroseconds() - before;

        Assert.Equal(2, enclave.SwitchlessStatistics.EcallsProcessed);
        Assert.True(used < 100_000, $"the caller used {used / 1000} ms of CPU while a 400 ms switchless call ran");
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task Two_long_calls_posted_at_once_to_sleeping_workers_run_in_parallel()
    {
        var switchless = new SwitchlessOptions { TrustedWorkers = 2, FallbackTimeout = SwitchlessTests.NoFallback };
        await using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.Simulation, switchless);
        var (client, _) = SwitchlessTests.Bind(enclave);
        client.Sleep(1);
        var asleep = Stopwatch.StartNew();
        while (enclave.SwitchlessStatistics.TrustedWorkerSleeps < 2 && asleep.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }

        // The second post finds a wake already on its way and skips its own; the worker that wakes passes the baton.
        ValueTask first = client.SleepAsync(2000);
        ValueTask second = client.SleepAsync(2000);
        int accepted = CountAccepted(enclave, switchless);
        var watch = Stopwatch.StartNew();
        while (accepted < 2 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(5);
            accepted = CountAccepted(enclave, switchless);
        }

        bool firstDone = first.IsCompleted;
        await first;
        await second;
        Assert.Equal(2, accepted);
        Assert.False(firstDone, "both calls were accepted only after the first ended: they ran one after the other");
    }

    [SupportedOSPlatform("linux")]
    private static unsafe int CountAccepted(Enclave enclave, SwitchlessOptions switchless)
    {
        SwitchlessConfig config = switchless.ToConfig();
        var pool = new PoolAccess(((RunnerEnclave)enclave.Instance).SwitchlessPool!.Pointer, config.Tasks, config.TaskSize);
        int accepted = 0;
        for (int i = 0; i < config.Tasks; i++)
        {
            accepted += PoolAccess.StateOf(pool.EcallTask(i)) == TaskState.Accepted ? 1 : 0;
        }

        return accepted;
    }

    private static unsafe long ThreadCpuMicroseconds()
    {
        long* time = stackalloc long[2];
        Assert.Equal(0, ClockGetTime(ClockThreadCpuTime, time));
        return (time[0] * 1_000_000) + (time[1] / 1000);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGetTime(int clock, long* time);
}
