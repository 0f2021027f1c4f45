using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using SecGear.Host;
using SecGear.SecureChannel;
using SecGear.VerticalFl.Boundary;

namespace SecGear.VerticalFl.Benchmarks;

/// <summary>
/// The per-batch enclave calls of one training round, without gRPC or networks: two followers' embeddings records in
/// (vfl_channel), vfl_forward, vfl_backward, two gradient fetches (vfl_channel) and their replies opened by the
/// followers' channel clients. Switchless and regular ECALLs side by side, against the same calls on the InProcess
/// engine (no process boundary: the floor). Two more rows split the floor: the same records through a channel
/// client/server pair alone (<see cref="ChannelRound"/>: the channel's crypto) and the split layer's forward and
/// backward alone on the same shapes (the compute); what the floor has beyond both is ECALL marshalling, message
/// decoding and copies.
/// </summary>
[Config(typeof(RoundConfig))]
public class RoundBenchmarks
{
    private const int Rows = 32;
    private readonly List<Driver> _drivers = [];
    private Driver _switchless = null!;
    private Driver _regular = null!;
    private Driver _inProcess = null!;
    private ChannelRound _channel = null!;
    private SplitLayer _layer = null!;
    private float[][] _layerInput = null!;
    private float[] _layerGradient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _inProcess = Add(Driver.StartAsync(EnclaveType.InProcess, switchless: false).GetAwaiter().GetResult());
        _switchless = Add(Driver.StartAsync(EnclaveType.Simulation, switchless: true).GetAwaiter().GetResult());
        _regular = Add(Driver.StartAsync(EnclaveType.Simulation, switchless: false).GetAwaiter().GetResult());
        _channel = ChannelRound.StartAsync(Driver.Identities).GetAwaiter().GetResult();
        _layer = new SplitLayer(Driver.Plan);
        _layerInput = [.. Driver.Plan.Parties.Select(_ => Enumerable.Range(0, Rows * 8).Select(i => (i % 7) / 7f).ToArray())];
        _layerGradient = [.. Enumerable.Range(0, Rows * 8).Select(i => (i % 5) / 500f)];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Driver driver in _drivers)
        {
            driver.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _channel.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "round, InProcess engine (floor)")]
    public void InProcess() => _inProcess.RoundAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "round, enclave, switchless ECALLs")]
    public void Switchless() => _switchless.RoundAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "round, enclave, regular ECALLs")]
    public void Regular() => _regular.RoundAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "split of the floor: channel crypto only (6 records, no ECALL)")]
    public void ChannelOnly() => _channel.RoundAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "split of the floor: split layer compute only (forward + backward)")]
    public float[][] ComputeOnly()
    {
        var z = new float[Rows * 8];
        var a = new float[Rows * 8];
        _layer.Forward(_layerInput, Rows, z, a);
        return _layer.Backward(_layerInput, Rows, z, _layerGradient, 1e-6f);
    }

    private Driver Add(Driver driver)
    {
        _drivers.Add(driver);
        return driver;
    }

    /// <summary>An enclave and two channel clients whose frames go straight into vfl_channel.</summary>
    private sealed class Driver : IAsyncDisposable
    {
        public static readonly FollowerIdentity[] Identities = [.. VerticalScenario.PartyNames.Select(p => FollowerIdentity.Create(p))];
        public static readonly TrainingPlan Plan = new()
        {
            Parties = [.. Identities.Select((identity, k) => new PartySpec(VerticalScenario.PartyNames[k], 8) { Features = 15, ClientKeySha256 = identity.KeySha256 })],
        };
        private readonly Enclave _enclave;
        private readonly VerticalFlProxy _proxy;
        private readonly (SecureChannelClient Channel, CallbackTransport Transport)[] _parties;
        private readonly int[] _ids = [.. Enumerable.Range(0, Rows)];
        private readonly float[] _embeddings = [.. Enumerable.Range(0, Rows * 8).Select(i => (i % 7) / 7f)];
        private readonly byte[] _gradient = MemoryMarshal.AsBytes(Enumerable.Range(0, Rows * 8).Select(i => (i % 5) / 500f).ToArray().AsSpan()).ToArray();
        private ulong _round;

        private Driver(Enclave enclave, VerticalFlProxy proxy, (SecureChannelClient, CallbackTransport)[] parties)
        {
            _enclave = enclave;
            _proxy = proxy;
            _parties = parties;
        }

        public static async Task<Driver> StartAsync(EnclaveType engine, bool switchless)
        {
            string image = Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage");
            var options = new EnclaveOptions();
            if (switchless)
            {
                options.Features.Add(LeaderNode.SwitchlessSettings());
            }

            Enclave enclave = Enclave.Create(image, engine, EnclaveFlags.None, options);
            var proxy = new VerticalFlProxy(enclave, new NoLog());
            Check(proxy.VflConfigure(Plan.Encode()));
            EnclaveTrust trust = EnclaveTrust.ForSimulatedImage(image, allowInProcess: engine == EnclaveType.InProcess);
            var parties = new (SecureChannelClient, CallbackTransport)[Plan.Parties.Count];
            for (int k = 0; k < parties.Length; k++)
            {
                CallbackTransport? transport = null;
                transport = new CallbackTransport(async (frame, ct) =>
                {
                    var replies = new byte[VflLimits.ReplyCapacity];
                    int length = Check(proxy.VflChannel(frame.Span, replies, out _));
                    if (length > 0)
                    {
                        await transport!.DeliverAsync(replies.AsMemory(0, length), ct);
                    }
                });
                var channelOptions = new SecureChannelOptions { MaxFrameLength = VflLimits.MaxFrameLength, MaxRecordPayload = VflLimits.MaxRecordPayload, ClientCredential = Identities[k].Credential };
                SecureChannelClient channel = await SecureChannelClient.ConnectAsync(transport, trust.Verifier, trust.Policy, channelOptions);
                await channel.SendAsync(new HelloMessage(Plan.Parties[k].Name, 8).Encode());
                _ = VflMessage.Decode((await channel.ReceiveAsync())!);
                parties[k] = (channel, transport);
            }

            return new Driver(enclave, proxy, parties);
        }

        public async Task RoundAsync()
        {
            byte[] hash = BatchIds.Hash(_ids);
            foreach ((SecureChannelClient channel, _) in _parties)
            {
                await channel.SendAsync(new EmbeddingsMessage(_round, true, hash, Rows, 8, _embeddings).Encode());
            }

            var activation = new byte[Rows * 8 * 4];
            Check(_proxy.VflForward(_round, BatchIds.ToBytes(_ids), activation));
            Check(_proxy.VflBackward(_round, _gradient));
            foreach ((SecureChannelClient channel, _) in _parties)
            {
                await channel.SendAsync(new GradientRequestMessage(_round).Encode());
                if (VflMessage.Decode((await channel.ReceiveAsync())!) is not GradientMessage)
                {
                    throw new InvalidOperationException("the enclave did not answer with a gradient");
                }
            }

            _round++;
        }

        public async ValueTask DisposeAsync()
        {
            foreach ((SecureChannelClient channel, CallbackTransport transport) in _parties)
            {
                await channel.DisposeAsync();
                await transport.DisposeAsync();
            }

            await _enclave.DisposeAsync();
        }

        private static int Check(int result) =>
            result >= 0 ? result : throw new InvalidOperationException($"the enclave refused: {(VflStatus)result}");
    }

    private sealed class NoLog : IVerticalFlOcalls
    {
        public void VflLog(string? message)
        {
        }
    }
}
