using System.Diagnostics;
using SecGear.Host.Runner;
using SecGear.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>Switchless faults: a full pool, a dying runner, a hostile host, destruction with calls pending, heavy concurrency.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SwitchlessFaultTests(TestImages images)
{
    public static TheoryData<EnclaveType> Engines => [EnclaveType.Simulation, EnclaveType.InProcess];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Full_pool_without_rollback_fails_with_SwitchlessPoolFullException_and_sends_nothing(EnclaveType type)
    {
        await using Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions
        {
            PoolSize = 1,
            RollbackToRegularCall = false,
            FallbackTimeout = SwitchlessTests.NoFallback,
        });
        var (client, ocalls) = SwitchlessTests.Bind(enclave);
        ValueTask sleeping = client.SleepAsync(1000);

        var error = Assert.Throws<SwitchlessPoolFullException>(() => client.Echo([1, 2, 3]));
        Assert.Equal(EnclaveStatus.SwitchlessPoolFull, error.Status);
        Assert.Contains("RollbackToRegularCall", error.Message);
        Assert.Equal(1, enclave.SwitchlessStatistics.PoolFullEvents);
        Assert.Equal(0, enclave.SwitchlessStatistics.Fallbacks);

        await sleeping;
        Assert.Equal([4], client.Echo([4]));
        Assert.Equal(2, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Full_pool_with_rollback_makes_a_regular_call_and_counts_it(EnclaveType type)
    {
        await using Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions
        {
            PoolSize = 1,
            FallbackTimeout = SwitchlessTests.NoFallback,
        });
        var (client, _) = SwitchlessTests.Bind(enclave);
        ValueTask sleeping = client.SleepAsync(1000);

        Assert.Equal([1, 2, 3], client.Echo([1, 2, 3]));
        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(1, stats.PoolFullEvents);
        Assert.Equal(1, stats.Fallbacks);

        await sleeping;
        Assert.Equal(1, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Fact]
    public async Task Runner_killed_mid_switchless_call_fails_sync_and_async_callers_with_EnclaveLostException()
    {
        using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.Simulation);
        var (client, _) = SwitchlessTests.Bind(enclave);
        Assert.Equal([1], client.Echo([1]));
        Exception? syncError = null;
        var caller = new Thread(() => syncError = Record.Exception(() => client.Sleep(60_000)));
        caller.Start();
        ValueTask pendingAsync = client.SleepAsync(60_000);
        Thread.Sleep(300);

        var watch = Stopwatch.StartNew();
        using (Process runner = Process.GetProcessById(enclave.RunnerProcessId))
        {
            runner.Kill();
        }

        Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the switchless caller hung after the runner died");
        await Assert.ThrowsAsync<EnclaveLostException>(async () => await pendingAsync).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"failing the pending calls took {watch.Elapsed}");
        Assert.IsType<EnclaveLostException>(syncError);
        Assert.Throws<EnclaveLostException>(() => client.Echo([2]));
        await Assert.ThrowsAsync<EnclaveLostException>(async () => await client.EchoAsync([3]));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Enclave_destroyed_with_async_calls_pending_fails_each_with_EnclaveDisposedException(EnclaveType type)
    {
        // No fallback: the generated async proxy awaits at once, and an awaited call no worker accepts falls back to a
        // regular call (which finds no free enclave thread); this test is about calls still pending in the pool.
        Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions { PoolSize = 16, TrustedWorkers = 2, FallbackTimeout = SwitchlessTests.NoFallback });
        var (client, _) = SwitchlessTests.Bind(enclave);
        ValueTask[] pending = [.. Enumerable.Range(0, 12).Select(_ => client.SleepAsync(3000))];
        Thread.Sleep(200);

        var watch = Stopwatch.StartNew();
        await enclave.DisposeAsync();
        foreach (ValueTask call in pending)
        {
            var error = await Assert.ThrowsAnyAsync<SecGearException>(async () => await call).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.IsType<EnclaveDisposedException>(error);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"failing the pending calls took {watch.Elapsed}");
        Assert.Throws<EnclaveDisposedException>(() => client.Echo([1]));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public unsafe void Hostile_host_corrupting_task_slots_gets_errors_and_the_enclave_keeps_serving()
    {
        var switchless = new SwitchlessOptions { PoolSize = 8, MaxInlinePayload = 1024, FallbackTimeout = SwitchlessTests.NoFallback };
        using Enclave enclave = SwitchlessTests.Create(images.Main, EnclaveType.Simulation, switchless);
        var (client, _) = SwitchlessTests.Bind(enclave);
        Assert.Equal([1], client.Echo([1]));
        var simulated = (RunnerEnclave)enclave.Instance;
        SwitchlessConfig config = switchless.ToConfig();
        var pool = new PoolAccess(simulated.SwitchlessPool!.Pointer, config.Tasks, config.TaskSize);

        // Task 7 is the last one a caller on this thread would claim first; the forged tasks are 4..7.
        (long Length, int Contract, int Function, byte[] Payload)[] forged =
        [
            (1L << 40, 1, 0, []),
            (-5, 1, 0, []),
            (8, 999, 0, new byte[8]),
            (16, 1, 0, [0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        ];
        for (int i = 0; i < forged.Length; i++)
        {
            byte* task = pool.EcallTask(4 + i);
            Assert.True(PoolAccess.TryClaim(task));
            PoolAccess.WriteTarget(task, forged[i].Contract, forged[i].Function);
            PoolAccess.Write64(task, PoolLayout.OffRequestLength, forged[i].Length);
            PoolAccess.WritePayload(task, forged[i].Payload);
            PoolAccess.Submit(task);
        }

        EnclaveStatus[] expected = [EnclaveStatus.InvalidMarshalling, EnclaveStatus.InvalidMarshalling, EnclaveStatus.ContractNotFound, EnclaveStatus.InvalidMarshalling];
        for (int i = 0; i < forged.Length; i++)
        {
            byte* task = pool.EcallTask(4 + i);
            var deadline = Stopwatch.StartNew();
            while (PoolAccess.StateOf(task) != TaskState.Failed)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"forged task {i} was not answered");
                Thread.Sleep(1);
            }

            Assert.Equal((int)expected[i], PoolAccess.StatusOf(task));
            PoolAccess.Release(task);
        }

        // Garbage everywhere: random control words, lengths and payloads in every task of both pools.
        var random = new Random(4);
        for (int i = 0; i < config.Tasks; i++)
        {
            foreach (nint task in (ReadOnlySpan<nint>)[(nint)pool.EcallTask(i), (nint)pool.OcallTask(i)])
            {
                random.NextBytes(new Span<byte>((byte*)task, config.TaskSize));
                *(long*)task = (uint)random.Next(0, 8) | ((long)random.Next() << 32);
            }
        }

        Thread.Sleep(300);
        using (Process runner = Process.GetProcessById(enclave.RunnerProcessId))
        {
            Assert.False(runner.HasExited);
        }

        // Back to fresh tasks (caller, answer and accept words zero).
        for (int i = 0; i < config.Tasks; i++)
        {
            new Span<byte>(pool.EcallTask(i), PoolLayout.TaskHeaderSize).Clear();
            new Span<byte>(pool.OcallTask(i), PoolLayout.TaskHeaderSize).Clear();
        }

        Assert.Equal([9, 9], client.Echo([9, 9]));
        Assert.Equal([7], client.EchoViaSwitchlessOcall([7]));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Eight_threads_of_mixed_regular_and_switchless_calls_lose_and_duplicate_nothing(EnclaveType type)
    {
        const int Threads = 8;
        int callsPerThread = CallsPerThread;
        using Enclave enclave = SwitchlessTests.Create(images.Main, type, new SwitchlessOptions { PoolSize = 16 }, TimeSpan.FromSeconds(60));
        var (client, _) = SwitchlessTests.Bind(enclave);
        long[] completed = new long[Threads];
        var errors = new List<Exception>();
        Thread[] threads = [.. Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < callsPerThread; i++)
                {
                    long value = ((long)t << 32) | (uint)i;
                    long result = client.Increment(value, switchless: i % 4 != 0);
                    if (result != value + 1)
                    {
                        throw new InvalidOperationException($"thread {t} call {i}: sent {value}, got {result}");
                    }

                    completed[t]++;
                }
            }
            catch (Exception ex)
            {
                lock (errors)
                {
                    errors.Add(ex);
                }
            }
        }))];
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), "a caller hung");
        }

        Assert.Empty(errors);
        Assert.All(completed, c => Assert.Equal(callsPerThread, c));
        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(Threads * (long)(callsPerThread - ((callsPerThread + 3) / 4)), stats.EcallsProcessed + stats.Fallbacks);
    }

    private static int CallsPerThread => int.TryParse(Environment.GetEnvironmentVariable("SECGEAR_SWITCHLESS_STRESS_CALLS"), out int n) && n > 0 ? n : 100_000;
}
