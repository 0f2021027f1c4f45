using System.Diagnostics;
using System.Runtime.Versioning;

namespace SecGear.Host.Tests.Switchless;

/// <summary>
/// The adaptive path: a caller never waits for a worker that does not accept beyond the fallback timeout, takes the
/// regular path during the back-off that follows, and returns to the pool once the worker accepts again. Every call
/// runs exactly once.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class SwitchlessAdaptiveTests(TestImages images)
{
    /// <summary>Slack for a loaded 2-core machine on top of the fallback timeout (thread start, scheduling).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(700);

    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_worker_stopped_with_SIGSTOP_makes_callers_fall_back_within_the_timeout_and_the_call_runs_once()
    {
        var timeout = TimeSpan.FromMilliseconds(100);
        using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.Simulation, new SwitchlessOptions { FallbackTimeout = timeout });
        var (client, ocalls) = SwitchlessTests.Bind(enclave);
        Assert.Equal([1], client.Echo([1]));
        Thread.Sleep(300);
        long notAcceptedBefore = enclave.SwitchlessStatistics.FallbacksNotAccepted;

        int runner = enclave.RunnerProcessId;
        using var stopped = StoppedProcess.Stop(runner);
        byte[]? result = null;
        TimeSpan fellBackAfter = TimeSpan.MaxValue;
        try
        {
            var watch = Stopwatch.StartNew();
            var caller = new Thread(() => result = client.EchoViaRegularOcall([7, 8, 9]));
            caller.Start();
            while (enclave.SwitchlessStatistics.FallbacksNotAccepted == notAcceptedBefore && watch.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(5);
            }

            fellBackAfter = watch.Elapsed;

            // The regular call it fell back to waits for the stopped enclave thread, as any regular call would.
            Assert.True(caller.IsAlive, "the call completed while the runner was stopped");
            stopped.Continue();
            Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the call did not complete after SIGCONT");
        }
        finally
        {
            stopped.Continue();
        }

        Assert.True(fellBackAfter < timeout + Slack, $"the caller gave up on the stopped worker after {fellBackAfter.TotalMilliseconds:F0} ms; the fallback timeout is {timeout.TotalMilliseconds:F0} ms");
        Assert.Equal([7, 8, 9], result);
        Assert.Equal(1, ocalls.Calls);
    }

    [Theory]
    [MemberData(nameof(SwitchlessTests.Engines), MemberType = typeof(SwitchlessTests))]
    public async Task A_worker_busy_with_a_long_call_makes_other_callers_fall_back_then_back_off_then_use_the_pool_again(EnclaveType type)
    {
        var timeout = TimeSpan.FromMilliseconds(50);
        await using Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions { FallbackTimeout = timeout, TrustedWorkers = 1 });
        var (client, _) = SwitchlessTests.Bind(enclave);

        // The scenario needs the one worker busy with the long call. On a loaded machine the worker may not take it
        // within the fallback timeout; then it ran as a regular call and nothing is busy: start it again.
        ValueTask sleeping = default;
        long notAcceptedBefore = 0;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            notAcceptedBefore = enclave.SwitchlessStatistics.FallbacksNotAccepted;
            sleeping = client.SleepAsync(1500);
            Thread.Sleep(100);
            if (enclave.SwitchlessStatistics.FallbacksNotAccepted == notAcceptedBefore)
            {
                break;
            }

            await sleeping;
        }

        var watch = Stopwatch.StartNew();
        Assert.Equal([1], client.Echo([1]));
        TimeSpan first = watch.Elapsed;
        Assert.True(first < timeout + Slack, $"the first call took {first.TotalMilliseconds:F0} ms behind a busy worker; the fallback timeout is {timeout.TotalMilliseconds:F0} ms");
        Assert.Equal(notAcceptedBefore + 1, enclave.SwitchlessStatistics.FallbacksNotAccepted);

        // The back-off starts at SwitchlessPacer.FirstBackoffMs (5 ms). A test thread descheduled for longer on a loaded
        // machine calls after it ended: that call is a probe, which the busy worker also leaves unaccepted (counted so)
        // and which doubles the back-off. The worker stays busy for 1.5 s, so one of a few calls comes within a back-off.
        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        for (int call = 2; call < 12 && stats.FallbacksBackoff == 0; call++)
        {
            Assert.Equal([(byte)call], client.Echo([(byte)call]));
            stats = enclave.SwitchlessStatistics;
        }

        Assert.True(stats.FallbacksBackoff >= 1, $"no call took the back-off path after a call no worker accepted: {stats}");
        Assert.Equal(stats.Fallbacks, stats.FallbacksNotAccepted + stats.FallbacksBackoff);

        await sleeping;
        long processed = enclave.SwitchlessStatistics.EcallsProcessed;
        var deadline = Stopwatch.StartNew();
        while (enclave.SwitchlessStatistics.EcallsProcessed == processed)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "calls never returned to the pool after the back-off");
            Assert.Equal([3], client.Echo([3]));
            Thread.Sleep(20);
        }
    }

    [Theory]
    [MemberData(nameof(SwitchlessTests.Engines), MemberType = typeof(SwitchlessTests))]
    public async Task A_caller_that_finds_every_worker_busy_with_a_long_call_takes_the_regular_path_long_before_the_fallback_timeout(EnclaveType type)
    {
        var timeout = TimeSpan.FromSeconds(5);
        await using Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions { FallbackTimeout = timeout, TrustedWorkers = 1 });
        var (client, _) = SwitchlessTests.Bind(enclave);
        Assert.Equal([1], client.Echo([1]));

        // The one worker takes the long call (with a 5 s timeout it has all the time it needs, even on a loaded machine).
        ValueTask sleeping = client.SleepAsync(3000);
        Thread.Sleep(300);

        long notAcceptedBefore = enclave.SwitchlessStatistics.FallbacksNotAccepted;
        var watch = Stopwatch.StartNew();
        Assert.Equal([2], client.Echo([2]));
        TimeSpan took = watch.Elapsed;

        Assert.True(took < TimeSpan.FromMilliseconds(1500), $"the call waited {took.TotalMilliseconds:F0} ms behind the busy worker; it should notice at once (the fallback timeout is {timeout.TotalSeconds} s)");
        Assert.Equal(notAcceptedBefore + 1, enclave.SwitchlessStatistics.FallbacksNotAccepted);
        await sleeping;
    }

    [Fact]
    public void Busy_threads_on_every_core_leave_every_call_answered_once_and_every_fallback_counted()
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.Simulation, new SwitchlessOptions());
        var (client, ocalls) = SwitchlessTests.Bind(enclave);
        using var stop = new CancellationTokenSource();
        Thread[] load = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        }) { IsBackground = true })];
        foreach (Thread t in load)
        {
            t.Start();
        }

        const int Callers = 4, Calls = 200;
        try
        {
            Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, i =>
            {
                for (int n = 0; n < Calls; n++)
                {
                    byte[] data = [(byte)i, (byte)n];
                    Assert.Equal(data, client.EchoViaRegularOcall(data));
                }
            });
        }
        finally
        {
            stop.Cancel();
        }

        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(Callers * Calls, ocalls.Calls);
        Assert.Equal(Callers * Calls, stats.EcallsProcessed + stats.Fallbacks);
        Assert.Equal(
            stats.Fallbacks,
            stats.FallbacksNotAccepted + stats.FallbacksBackoff + stats.FallbacksPoolFull + stats.FallbacksTooLarge + stats.FallbacksSlower + stats.FallbacksSampling);
    }
}
