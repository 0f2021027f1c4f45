using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SecGear.Abi;
using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>Behaviour both engines must share: the same generated code gives the same results and errors.</summary>
[Collection(ImagesCollection.Name)]
public sealed class EngineTests(TestImages images)
{
    public static TheoryData<EnclaveType> Engines => [EnclaveType.Simulation, EnclaveType.InProcess];

    [Theory]
    [MemberData(nameof(Engines))]
    public void Create_reports_engine_manifest_and_the_identity_the_enclave_computed(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);

        Assert.Equal(type, enclave.Type);
        Assert.Equal("TestEnclave", enclave.Manifest.Name);
        Assert.Equal(4, enclave.Manifest.MaxThreads);
        Assert.Equal((ushort)7, enclave.Identity.ProductId);
        Assert.Equal(32, enclave.Identity.Measurement.Length);
        Assert.Equal(enclave.Identity.Measurement, client.Identity());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Echo_round_trips_bytes(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        byte[] data = RandomNumberGenerator.GetBytes(1000);

        client.Empty();
        Assert.Equal(data, client.Echo(data));
        Assert.Empty(client.Echo([]));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Payload_of_exactly_the_64_MiB_limit_round_trips_and_one_byte_more_is_refused_before_sending(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        int limit = EnclaveOptions.DefaultMaxPayloadBytes;
        // Echo's request is the folded size_t length (8 bytes), the 4-byte length prefix and the bytes: exactly the limit.
        byte[] data = new byte[limit - 12];
        RandomNumberGenerator.Fill(data.AsSpan(0, 4096));
        data[^1] = 0xA5;

        byte[] echoed = client.Echo(data);
        Assert.True(data.AsSpan().SequenceEqual(echoed));

        var tooLarge = Assert.Throws<PayloadTooLargeException>(() => client.Echo(new byte[limit - 11]));
        Assert.Equal(EnclaveStatus.PayloadTooLarge, tooLarge.Status);
        client.Empty(); // nothing was sent: the enclave is still usable
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Payloads_just_above_the_inline_area_use_the_overflow_path(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        // The request (8-byte size, 4-byte prefix, bytes) crosses the inline limit 8 bytes before the response (prefix, bytes).
        foreach (int size in new[] { 65_459, 65_460, 65_461, 65_467, 65_468, 65_469, 200_000 })
        {
            byte[] data = RandomNumberGenerator.GetBytes(size);
            Assert.Equal(data, client.Echo(data));
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Large_ocall_payloads_cross_in_both_directions(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        byte[] data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

        Assert.Equal(data, client.EchoViaHost(data));
        Assert.Equal([7], client.EchoViaHost([7]));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Log_written_outside_an_ecall_reaches_the_host_logger_factory(EnclaveType type)
    {
        var logs = new CapturingLoggerFactory();
        using Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.None, new EnclaveOptions { LoggerFactory = logs });

        // The implementation's constructor logs before any ECALL; the runner sends it on its output pipe.
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!logs.Messages.Any(m => m is ("TestEnclave.Startup", LogLevel.Information, "enclave started")) && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(10);
        }

        Assert.Contains(logs.Messages, m => m is ("TestEnclave.Startup", LogLevel.Information, "enclave started"));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Bind_refuses_a_contract_the_enclave_does_not_implement(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        ContractDescriptor other = WithHash("Nope", "another contract");

        var ex = Assert.Throws<ContractNotFoundException>(() => enclave.Bind(other, null));
        Assert.Contains("Nope", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Bind_refuses_the_same_contract_name_with_another_hash(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        ContractDescriptor changed = WithHash(TestEnclaveContract.Name, "test_enclave contract v2");

        var ex = Assert.Throws<ContractMismatchException>(() => enclave.Bind(changed, null));
        Assert.Contains(changed.HashHex, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Ocall_runs_on_the_thread_that_made_the_ecall(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);

        int threadId = 0;
        int seen = 0;
        var thread = new Thread(() =>
        {
            threadId = Environment.CurrentManagedThreadId;
            seen = client.HostThreadViaOcall();
        });
        thread.Start();
        thread.Join();

        Assert.Equal(threadId, seen);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Nested_ecall_named_in_the_ocall_allow_list_runs(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);

        // nested_entry(x) -> OCALL call_back(x) -> private ECALL private_inner(x) = 2x -> +1
        Assert.Equal(21, client.NestedEntry(10));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Private_ecall_is_refused_from_the_host(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);

        var ex = Assert.Throws<CallNotAllowedException>(() => client.PrivateInner(3));
        Assert.Contains("private_inner", ex.Message, StringComparison.Ordinal);
        Assert.Equal(21, client.NestedEntry(10)); // the enclave thread is still usable
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Private_ecall_from_another_host_thread_is_refused_while_an_allowing_ocall_runs(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, ocalls) = Bind(enclave);
        Exception? otherThread = null;
        ocalls.DuringCallBack = () =>
        {
            // The allow list covers the thread that is inside call_back, not every host thread.
            var thread = new Thread(() => otherThread = Record.Exception(() => client.PrivateInner(3)));
            thread.Start();
            thread.Join();
        };

        Assert.Equal(21, client.NestedEntry(10));

        var refused = Assert.IsType<CallNotAllowedException>(otherThread);
        Assert.Contains("private_inner", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Nested_ecall_not_in_the_allow_list_is_refused(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, ocalls) = Bind(enclave);

        var ex = Assert.Throws<EcallFailedException>(client.RefusedNesting);

        Assert.Equal(typeof(OcallFailedException).FullName, ex.RemoteType);
        var refused = Assert.IsType<CallNotAllowedException>(ocalls.RefusedNestingError);
        Assert.Contains("call_back_refused", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Ocall_exception_reaches_the_enclave_as_OcallFailedException(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);

        Assert.Equal($"host_throws|{typeof(ArgumentException).FullName}|host said no", client.OcallThrows(catchIt: true));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Uncaught_ocall_exception_reaches_the_host_as_EcallFailedException(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);

        var ex = Assert.Throws<EcallFailedException>(() => client.OcallThrows(catchIt: false));
        Assert.Equal(typeof(OcallFailedException).FullName, ex.RemoteType);
        Assert.Contains("host said no", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Malformed_request_bytes_give_MarshalException_on_the_host(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        byte[] lyingLength = [0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3];

        Assert.Throws<MarshalException>(() => client.Channel.Call(TestEnclaveContract.EcallIds.Echo, lyingLength, new WireBuffer()));
        Assert.Throws<CallNotAllowedException>(() => client.Channel.Call(999, [], new WireBuffer()));
        client.Empty();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Concurrent_ecalls_beyond_the_thread_count_are_refused(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.TwoThreads, type);
        var (client, ocalls) = Bind(enclave);
        Thread[] holders = [.. Enumerable.Range(0, 2).Select(_ => new Thread(client.Hold))];
        foreach (Thread t in holders)
        {
            t.Start();
        }

        Assert.True(ocalls.BlockEntered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(ocalls.BlockEntered.Wait(TimeSpan.FromSeconds(10)));

        var ex = Assert.Throws<EnclaveOutOfThreadsException>(client.Empty);
        Assert.Equal(EnclaveStatus.OutOfThreads, ex.Status);

        ocalls.Release.Set();
        foreach (Thread t in holders)
        {
            t.Join();
        }

        client.Empty(); // threads are free again
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task A_call_waits_for_a_free_thread_up_to_the_configured_timeout(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.TwoThreads, type, options: new EnclaveOptions { ThreadWaitTimeout = TimeSpan.FromSeconds(20) });
        var (client, ocalls) = Bind(enclave);
        Thread[] holders = [.. Enumerable.Range(0, 2).Select(_ => new Thread(client.Hold))];
        foreach (Thread t in holders)
        {
            t.Start();
        }

        Assert.True(ocalls.BlockEntered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(ocalls.BlockEntered.Wait(TimeSpan.FromSeconds(10)));
        var third = Task.Run(() => client.NestedEntry(5));
        Thread.Sleep(100);
        Assert.False(third.IsCompleted);

        ocalls.Release.Set();

        Assert.Equal(11, await third.WaitAsync(TimeSpan.FromSeconds(10)));
        foreach (Thread t in holders)
        {
            t.Join();
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Concurrent_callers_with_ocalls_and_nested_ecalls_each_get_their_own_results(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type, options: new EnclaveOptions { ThreadWaitTimeout = TimeSpan.FromSeconds(30) });
        var (client, _) = Bind(enclave);
        Exception? failure = null;
        Thread[] callers = [.. Enumerable.Range(0, 6).Select(n => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 150; i++)
                {
                    int x = (n * 1000) + i;
                    Assert.Equal((2 * x) + 1, client.NestedEntry(x));
                    Assert.Equal(Environment.CurrentManagedThreadId, client.HostThreadViaOcall());
                    byte[] data = BitConverter.GetBytes(x);
                    Assert.Equal(data, client.Echo(data));
                }
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }))];
        foreach (Thread t in callers)
        {
            t.Start();
        }

        foreach (Thread t in callers)
        {
            Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a caller hung");
        }

        Assert.Null(failure);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Enclave_log_messages_reach_the_host_logger_factory(EnclaveType type)
    {
        var logs = new CapturingLoggerFactory();
        using Enclave enclave = Enclave.Create(images.Main, type, EnclaveFlags.None, new EnclaveOptions { LoggerFactory = logs });
        var (client, _) = Bind(enclave);

        client.Log((int)LogLevel.Warning, "disk {almost} full");

        Assert.Contains(logs.Messages, m => m is ("TestEnclave", LogLevel.Warning, "disk {almost} full"));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Debug_flag_is_refused_for_a_production_image(EnclaveType type)
    {
        Assert.Throws<EnclaveNotSupportedException>(() => Enclave.Create(images.Production, type, EnclaveFlags.Debug));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Tampered_image_is_refused(EnclaveType type)
    {
        var ex = Assert.Throws<SecGear.Images.EnclaveImageException>(() => Enclave.Create(images.Tampered, type));
        Assert.Equal(EnclaveStatus.InvalidImage, ex.Status);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Calls_after_dispose_fail_and_double_dispose_is_harmless(EnclaveType type)
    {
        Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        client.Empty();

        enclave.Dispose();
        enclave.Dispose();

        Assert.Throws<EnclaveDisposedException>(client.Empty);
        Assert.Throws<EnclaveDisposedException>(() => enclave.Bind(TestEnclaveContract.Descriptor, null));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Calls_racing_with_dispose_either_complete_or_fail_with_EnclaveDisposedException(EnclaveType type)
    {
        Enclave enclave = Enclave.Create(images.Main, type);
        var (client, _) = Bind(enclave);
        using var started = new CountdownEvent(3);
        Task<Exception>[] callers = [.. Enumerable.Range(0, 3).Select(_ => Task.Factory.StartNew<Exception>(
            () =>
            {
                started.Signal();
                try
                {
                    while (true)
                    {
                        client.Echo([1, 2, 3]);
                    }
                }
                catch (Exception ex)
                {
                    return ex;
                }
            },
            TaskCreationOptions.LongRunning))];
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        await Task.Delay(50);

        await enclave.DisposeAsync();

        foreach (Task<Exception> caller in callers)
        {
            Assert.IsType<EnclaveDisposedException>(await caller.WaitAsync(TimeSpan.FromSeconds(10)));
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Call_blocked_in_an_ocall_fails_with_EnclaveDisposedException_when_the_enclave_is_disposed(EnclaveType type)
    {
        Enclave enclave = Enclave.Create(images.Main, type);
        var (client, ocalls) = Bind(enclave);
        Exception? error = null;
        var holder = new Thread(() => error = Record.Exception(client.Hold));
        holder.Start();
        Assert.True(ocalls.BlockEntered.Wait(TimeSpan.FromSeconds(10)));

        enclave.Dispose();
        ocalls.Release.Set();

        Assert.True(holder.Join(TimeSpan.FromSeconds(10)));
        if (type == EnclaveType.Simulation)
        {
            Assert.IsType<EnclaveDisposedException>(error);
        }
        else
        {
            // In process, the enclave code already running finishes its call.
            Assert.Null(error);
        }
    }

    private static (TestClient Client, TestOcalls Ocalls) Bind(Enclave enclave)
    {
        var ocalls = new TestOcalls();
        var client = new TestClient(enclave, ocalls);
        ocalls.Client = client;
        return (client, ocalls);
    }

    /// <summary>The test contract's functions under another name or hash (a contract the enclave does not have).</summary>
    private static ContractDescriptor WithHash(string name, string canonicalForm) => new(
        name,
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonicalForm)),
        TestEnclaveContract.Descriptor.Ecalls,
        TestEnclaveContract.Descriptor.Ocalls);
}
