using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>Switchless calls on both engines: results, fallbacks, OCALLs, counters and options.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SwitchlessTests(TestImages images)
{
    public static TheoryData<EnclaveType> Engines => [EnclaveType.Simulation, EnclaveType.InProcess];

    /// <summary>
    /// Tests that count pool hits wait for a worker without a limit: on this shared 2-core machine a worker may not
    /// get a core within the default fallback retries, which is correct behaviour but not what those tests check.
    /// </summary>
    internal static readonly TimeSpan NoFallback = Timeout.InfiniteTimeSpan;

    internal static Enclave Create(string image, EnclaveType type, SwitchlessOptions? switchless = null, TimeSpan threadWait = default)
    {
        var options = new EnclaveOptions { ThreadWaitTimeout = threadWait };
        options.Features.Add(switchless ?? new SwitchlessOptions { FallbackTimeout = NoFallback });
        return Enclave.Create(image, type, EnclaveFlags.Debug, options);
    }

    internal static (SwitchlessClient Client, SwitchlessOcalls Ocalls) Bind(Enclave enclave)
    {
        var ocalls = new SwitchlessOcalls();
        return (new SwitchlessClient(enclave, ocalls), ocalls);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Switchless_echo_returns_the_bytes_and_is_counted_as_processed(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type);
        var (client, _) = Bind(enclave);
        byte[] data = RandomNumberGenerator.GetBytes(1000);

        Assert.True(enclave.IsSwitchless);
        Assert.Equal(data, client.Echo(data));
        Assert.Empty(client.Echo([]));
        Assert.Equal(2, enclave.SwitchlessStatistics.EcallsProcessed);
        Assert.Equal(0, enclave.SwitchlessStatistics.Fallbacks);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Request_larger_than_a_task_falls_back_to_a_regular_call_and_is_counted(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { MaxInlinePayload = 1024, FallbackTimeout = NoFallback });
        var (client, _) = Bind(enclave);
        byte[] data = RandomNumberGenerator.GetBytes(5000);

        Assert.Equal(data, client.Echo(data));
        Assert.Equal(1, enclave.SwitchlessStatistics.Fallbacks);
        Assert.Equal(0, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Response_larger_than_a_task_arrives_whole_in_chunks_and_the_call_runs_once(EnclaveType type)
    {
        await using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { MaxInlinePayload = 1024, FallbackTimeout = NoFallback });
        var (client, _) = Bind(enclave);
        byte[] expected = [.. Enumerable.Range(0, 5000).Select(i => (byte)i)];

        Assert.Equal(expected, client.BytesOf(5000));
        Assert.Equal(expected, await client.BytesOfAsync(5000));
        Assert.Equal(expected[..1000], client.BytesOf(1000));
        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(3, stats.EcallsProcessed);
        Assert.Equal(0, stats.Fallbacks);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Switchless_ocall_response_larger_than_a_task_reaches_the_enclave_whole(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { MaxInlinePayload = 1024, FallbackTimeout = NoFallback });
        var (client, ocalls) = Bind(enclave);
        byte[] data = [SwitchlessOcalls.Repeat, .. RandomNumberGenerator.GetBytes(299)];

        byte[] echoed = client.EchoViaSwitchlessOcall(data);

        Assert.Equal(data.Length * SwitchlessOcalls.Times, echoed.Length);
        Assert.Equal(data, echoed[^data.Length..]);
        Assert.Equal(1, ocalls.Calls);
        Assert.Equal(1, enclave.SwitchlessStatistics.OcallsProcessed);
        Assert.Equal(0, enclave.SwitchlessStatistics.OcallFallbacks);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Enclave_errors_cross_a_switchless_call_with_the_same_type_as_a_regular_call(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type);
        var channel = Bind(enclave).Client.Channel;

        Assert.Throws<MarshalException>(() => channel.CallSwitchless(SwitchlessTestContract.EcallIds.SlIncrement, [1, 2, 3], new Abi.WireBuffer()));
        Assert.Throws<CallNotAllowedException>(() => channel.CallSwitchless(99, [], new Abi.WireBuffer()));
        Assert.Equal(2, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Async_switchless_calls_keep_more_calls_in_flight_than_the_pool_holds_and_all_complete(EnclaveType type)
    {
        await using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { PoolSize = 8, FallbackTimeout = NoFallback });
        var (client, _) = Bind(enclave);

        byte[][] inputs = [.. Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes(i * 7919))];
        ValueTask<byte[]>[] pending = [.. inputs.Select(client.EchoAsync)];
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i], await pending[i]);
        }

        SwitchlessStatistics stats = enclave.SwitchlessStatistics;
        Assert.Equal(64, stats.EcallsProcessed + stats.Fallbacks);
        Assert.True(stats.EcallsProcessed >= 8, $"only {stats.EcallsProcessed} calls went through the pool");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Switchless_ocall_is_served_by_an_untrusted_worker(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type);
        var (client, ocalls) = Bind(enclave);
        // The first byte is fixed: 0xEE and SwitchlessOcalls.Repeat make the host's OCALL refuse or repeat the data.
        byte[] data = [0x01, .. RandomNumberGenerator.GetBytes(299)];

        Assert.Equal(data, client.EchoViaSwitchlessOcall(data, switchless: false));
        Assert.NotEqual(Environment.CurrentManagedThreadId, ocalls.LastThread);
        Assert.Equal(data, client.EchoViaSwitchlessOcall(data, switchless: true));
        Assert.Equal(2, enclave.SwitchlessStatistics.OcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_throwing_switchless_ocall_handler_fails_the_ocall_inside_the_enclave(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type);
        var (client, _) = Bind(enclave);

        var error = Assert.Throws<EcallFailedException>(() => client.EchoViaSwitchlessOcall([0xEE]));
        Assert.Equal(typeof(OcallFailedException).FullName, error.RemoteType);
        Assert.Contains("host said no", error.Message);
        Assert.Equal([1], client.EchoViaSwitchlessOcall([1]));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void An_ocall_request_larger_than_a_task_falls_back_to_a_regular_ocall(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { MaxInlinePayload = 1024, FallbackTimeout = NoFallback });
        var (client, _) = Bind(enclave);
        byte[] data = new byte[5000];
        data[^1] = 7;

        Assert.Equal(data, client.EchoViaSwitchlessOcall(data, switchless: false));
        Assert.Equal(0, enclave.SwitchlessStatistics.OcallsProcessed);
        Assert.Equal(data[..500], client.EchoViaSwitchlessOcall(data[..500], switchless: false));
        Assert.Equal(1, enclave.SwitchlessStatistics.OcallsProcessed);
    }

    [Fact]
    public async Task A_cancelled_token_stops_an_async_switchless_call_before_it_is_posted()
    {
        await using Enclave enclave = Create(images.Main, EnclaveType.InProcess);
        var (client, _) = Bind(enclave);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await client.Channel.CallSwitchlessAsync(SwitchlessTestContract.EcallIds.SlEcho, new byte[4], new Abi.WireBuffer(), new CancellationToken(canceled: true)));
        Assert.Equal(0, enclave.SwitchlessStatistics.EcallsProcessed);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Regular_ocall_from_a_switchless_ecall_reaches_the_host(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type);
        var (client, ocalls) = Bind(enclave);
        byte[] data = [0x01, .. RandomNumberGenerator.GetBytes(99)]; // not a magic first byte of SwitchlessOcalls

        Assert.Equal(data, client.EchoViaRegularOcall(data));
        Assert.Equal(1, ocalls.Calls);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Idle_wakeup_workers_sleep_and_a_call_wakes_them(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { RetriesBeforeSleep = 100, FallbackTimeout = NoFallback });
        var (client, _) = Bind(enclave);
        client.Echo([1]);

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (enclave.SwitchlessStatistics.TrustedWorkerSleeps == 0 || enclave.SwitchlessStatistics.UntrustedWorkerSleeps == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "idle workers did not go to sleep");
            Thread.Sleep(10);
        }

        Assert.Equal([2], client.Echo([2]));
        Assert.Equal([3], client.EchoViaSwitchlessOcall([3], switchless: false));
        Assert.True(enclave.SwitchlessStatistics.TrustedWorkerWakes > 0);
        Assert.Equal(0, enclave.SwitchlessStatistics.Fallbacks);
    }

    [Fact]
    public void Meter_SecGear_Switchless_publishes_the_enclave_counters()
    {
        using Enclave enclave = Create(images.Main, EnclaveType.InProcess);
        var (client, _) = Bind(enclave);
        client.Echo([1]);
        client.Echo([2]);
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "SecGear.Switchless")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "secgear.enclave" && (string?)tag.Value == "TestEnclave" && value > 0)
                {
                    lock (seen)
                    {
                        seen[instrument.Name] = Math.Max(seen.GetValueOrDefault(instrument.Name), value);
                    }
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.True(seen.GetValueOrDefault("secgear.switchless.ecalls") >= 2, string.Join(", ", seen));
    }

    public static TheoryData<string, SwitchlessOptions> InvalidOptions => new()
    {
        { "TrustedWorkers", new SwitchlessOptions { TrustedWorkers = 0 } },
        { "UntrustedWorkers", new SwitchlessOptions { UntrustedWorkers = 513 } },
        { "PoolSize", new SwitchlessOptions { PoolSize = 0 } },
        { "MaxInlinePayload", new SwitchlessOptions { MaxInlinePayload = 100 } },
        { "MaxInlinePayload", new SwitchlessOptions { MaxInlinePayload = 1001 } },
        { "RetriesBeforeFallback", new SwitchlessOptions { RetriesBeforeFallback = -1 } },
        { "RetriesBeforeSleep", new SwitchlessOptions { RetriesBeforeSleep = -1 } },
        { "WorkerPolicy", new SwitchlessOptions { WorkerPolicy = (SwitchlessWorkerPolicy)7 } },
        { "TrustedWorkerAffinity", new SwitchlessOptions { TrustedWorkerAffinity = [Environment.ProcessorCount] } },
        { "PoolSize", new SwitchlessOptions { PoolSize = 4096, MaxInlinePayload = 1024 * 1024 } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_switchless_options_are_refused_at_create_naming_the_option(string option, SwitchlessOptions switchless)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Create(images.Main, EnclaveType.InProcess, switchless));
        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public void Switchless_requested_twice_is_refused()
    {
        var options = new EnclaveOptions();
        options.Features.Add(new SwitchlessOptions());
        options.Features.Add(new SwitchlessOptions());

        Assert.ThrowsAny<ArgumentException>(() => Enclave.Create(images.Main, EnclaveType.InProcess, EnclaveFlags.Debug, options));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Trusted_workers_pinned_to_cpu_0_serve_calls(EnclaveType type)
    {
        using Enclave enclave = Create(images.Main, type, new SwitchlessOptions { TrustedWorkerAffinity = [0], WorkerPolicy = SwitchlessWorkerPolicy.Busy, FallbackTimeout = NoFallback });
        var (client, _) = Bind(enclave);

        Assert.Equal(42 + 1, client.Increment(42, switchless: true));
        Assert.Equal(1, enclave.SwitchlessStatistics.EcallsProcessed);
    }
}
