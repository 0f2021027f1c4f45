using System.Buffers.Binary;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.FederatedSql.Benchmarks.Interop;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Site;
using SecGear.Host;
using SecGear.SecureChannel;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.FederatedSql.Benchmarks;

/// <summary>
/// Merge throughput inside the enclave: one site's partial-result records (64 rows each, already sealed by the site's
/// channel) go into the enclave one record per call through host shared memory, where each is decrypted, checked and
/// merged. Four arms side by side (<see cref="Call"/>): regular calls (<c>fsql_channel_batch</c>, enclave without the
/// switchless feature); switchless calls (its twin <c>fsql_channel_batch_switchless</c>, declared
/// <c>transition_using_threads</c>, enclave with the feature) with the default path choice, and with the path choice
/// off so that every call goes through the pool; and regular calls while the switchless workers run (what the
/// coordinator did before it used the twin). The switchless counters printed at the end say which path the calls took. The time is per record, so records per second = 1 / time and rows per
/// second = 64 / time.
/// </summary>
[Config(typeof(MergeConfig))]
public class MergeThroughputBenchmarks
{
    private const int RecordsPerInvoke = 5000;
    private const int RowsPerRecord = 64;
    private const string Sql = "SELECT o_orderkey, SUM(o_totalprice), COUNT(*) FROM orders GROUP BY o_orderkey";

    private readonly List<byte[]> _prepared = [];
    private Enclave? _enclave;
    private FederatedSqlProxy? _proxy;
    private SharedMemory? _shared;
    private SecureChannelClient? _client;
    private CallbackTransport? _transport;
    private SiteIdentity? _site;
    private bool _capturing;
    private uint _chunk;

    /// <summary>How each record goes into the enclave.</summary>
    public enum MergeCall
    {
        /// <summary><c>fsql_channel_batch</c>, enclave without switchless workers.</summary>
        Regular,

        /// <summary>
        /// <c>fsql_channel_batch_switchless</c>, enclave with switchless workers and the default path choice (the pacer
        /// makes a call regular while switchless calls measure slower).
        /// </summary>
        Switchless,

        /// <summary><c>fsql_channel_batch_switchless</c> with the path choice off: every call is tried through the pool.</summary>
        SwitchlessAlways,

        /// <summary><c>fsql_channel_batch</c>, enclave with switchless workers (idle, polling).</summary>
        RegularBesideWorkers,
    }

    [Params(MergeCall.Regular, MergeCall.Switchless, MergeCall.SwitchlessAlways, MergeCall.RegularBesideWorkers)]
    public MergeCall Call { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [IterationSetup]
    public void Prepare()
    {
        // The site's work (encoding and sealing) happens here, outside the measurement. Records prepared for an
        // iteration that did not run are kept: the channel's sequence numbers allow no gap.
        if (_prepared.Count > 0)
        {
            return;
        }

        var writer = new RowWriter(RowsPerRecord * 40);
        for (int r = 0; r < RecordsPerInvoke; r++)
        {
            PartialMessages.StartChunk(writer, _chunk, RowsPerRecord);
            for (int i = 0; i < RowsPerRecord; i++)
            {
                writer.WriteValue((long)((_chunk * RowsPerRecord + i) % 4096));
                writer.WriteValue(1L);
                writer.WriteValue(12.34m);
            }

            _chunk++;
            _client!.SendAsync(writer.WrittenSpan.ToArray()).GetAwaiter().GetResult();
        }
    }

    [Benchmark(OperationsPerInvoke = RecordsPerInvoke, Description = "partial-result records into the enclave")]
    public int Merge()
    {
        int replies = 0;
        byte[] output = new byte[2048];
        foreach (byte[] frame in _prepared)
        {
            frame.CopyTo(_shared!.Span);
            int written = Call is MergeCall.Switchless or MergeCall.SwitchlessAlways
                ? _proxy!.FsqlChannelBatchSwitchless(_shared!.Token, (nuint)frame.Length, output)
                : _proxy!.FsqlChannelBatch(_shared!.Token, (nuint)frame.Length, output);
            if (written != 0)
            {
                throw new InvalidOperationException($"the enclave answered a record: {Explain(output.AsMemory(0, written))}");
            }

            replies++;
        }

        _prepared.Clear();
        return replies;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        // Which path the calls really took: the switchless pacer may make a switchless function's call a regular one.
        if (_enclave is { } enclave)
        {
            var stats = enclave.SwitchlessStatistics;
            Console.WriteLine($"// switchless counters ({Call}): ECALLs through the pool {stats.EcallsProcessed}, made regular {stats.Fallbacks} (slower {stats.FallbacksSlower}, sampling {stats.FallbacksSampling}, pool full {stats.FallbacksPoolFull}, not accepted {stats.FallbacksNotAccepted}, back-off {stats.FallbacksBackoff}, too large {stats.FallbacksTooLarge}, feature off {stats.FallbacksFeatureOff})");
        }

        _shared?.Dispose();
        _enclave?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _site?.Dispose();
    }

    private async Task SetupAsync()
    {
        string image = Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Enclave.sgimage");
        var options = new EnclaveOptions();
        if (Call != MergeCall.Regular)
        {
            options.Features.Add(new SwitchlessOptions { Adaptive = Call != MergeCall.SwitchlessAlways });
        }

        _enclave = Enclave.Create(image, EnclaveType.Simulation, EnclaveFlags.None, options);
        _proxy = new FederatedSqlProxy(_enclave, new Ocalls());
        _shared = _enclave.AllocateSharedMemory((1024 * 1024) + 64);
        _site = SiteIdentity.Generate("bench");
        byte[] output = new byte[64 * 1024];
        Check(_proxy.FsqlConfigure(JsonSerializer.SerializeToUtf8Bytes(new FederationConfig([new SiteEntry("bench", _site.SpkiSha256)])), output), output);
        int length = Check(_proxy.FsqlBegin(JsonSerializer.SerializeToUtf8Bytes(new QueryRequest(Sql, 1)), output), output);
        var ticket = JsonSerializer.Deserialize<QueryTicket>(output.AsSpan(0, length))!;

        SimulatedAttestationAuthority.EnsureCaCertificate();
        byte[] ca = X509CertificateLoader.LoadCertificateFromFile(SimulatedAttestationAuthority.CaCertificatePath(SimulatedPlatformOptions.DefaultSecretPath)).RawData;
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
        var policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [_enclave.Identity.Measurement], AllowedSignerIds = [_enclave.Identity.Signer] };
        _transport = new CallbackTransport(SendAsync, 4 * 1024 * 1024);
        _client = await SecureChannelClient.ConnectAsync(_transport, verifier, policy, new SecureChannelOptions
        {
            MaxFrameLength = 1024 * 1024,
            MaxRecordPayload = (1024 * 1024) - 1024,
            ClientCredential = _site.Credential,
        });
        var plan = Planning.QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 1);
        string nonce = ticket.Sites.Single().Nonce;
        await _client.SendAsync(PartialMessages.Header(new PartialHeader(Convert.FromHexString(ticket.QueryId), Convert.FromHexString(nonce), plan.PlanDigest, 1, plan.PartialColumnCount)));
        _capturing = true;
    }

    // During the handshake frames go straight to the enclave and its replies back to the client; afterwards the
    // client's records are collected for the next measured batch (the header goes in at once).
    private async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (_capturing)
        {
            _prepared.Add(frame.ToArray());
            return;
        }

        byte[] output = new byte[64 * 1024];
        int written = Check(_proxy!.FsqlChannel(frame.Span, output), output);
        int offset = 0;
        while (offset < written)
        {
            int frameLength = 5 + (int)BinaryPrimitives.ReadUInt32BigEndian(output.AsSpan(offset + 1));
            await _transport!.DeliverAsync(output.AsMemory(offset, frameLength), cancellationToken);
            offset += frameLength;
        }
    }

    private string Explain(ReadOnlyMemory<byte> reply)
    {
        try
        {
            _transport!.DeliverAsync(reply).AsTask().GetAwaiter().GetResult();
            byte[]? message = _client!.ReceiveAsync().GetAwaiter().GetResult();
            if (message is null)
            {
                return "the channel closed";
            }

            var reader = new RowReader(message);
            return PartialMessages.ReadType(ref reader) == PartialMessageType.Rejected ? "rejected: " + PartialMessages.ReadRejected(ref reader) : "an unexpected message";
        }
        catch (SecureChannelException ex)
        {
            return $"{ex.Reason}: {ex.Message}";
        }
    }

    private static int Check(int result, byte[] output) =>
        result >= 0 ? result : throw new InvalidOperationException($"ECALL failed ({result}): {System.Text.Encoding.UTF8.GetString(output).TrimEnd('\0')}");

    private sealed class Ocalls : IFederatedSqlOcalls
    {
        public void FsqlLog(string? message)
        {
        }
    }
}
