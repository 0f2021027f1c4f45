using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SecGear.Host;
using SecGear.Identity;
using SecGear.VerticalFl.Boundary;
using SecGear.VerticalFl.Grpc;

namespace SecGear.VerticalFl;

/// <summary>
/// The leader: holds the labels and (in split-layer mode) the top network, hosts the split-layer enclave, serves the
/// followers over gRPC and drives the rounds. Its host code only relays the followers' secure channel frames into the
/// enclave and back: it sees their lengths and the enclave's event codes, the fused layer's output (split-layer mode)
/// or predictions (strict mode), never a follower's embeddings or gradients. A follower that drops out stops the run
/// with <see cref="VerticalFlException"/> (<see cref="VflStatus.FollowerDropped"/>); the next
/// <see cref="TrainAsync"/> resumes every party from the last epoch checkpoint. With
/// <see cref="LeaderOptions.CheckpointDirectory"/> the checkpoint (the enclave's part sealed by the enclave) survives
/// the leader's own crash: a new leader started on the same directory resumes from it.
/// </summary>
public sealed class LeaderNode : IAsyncDisposable
{
    private readonly LeaderOptions _options;
    private readonly Enclave _enclave;
    private readonly VerticalFlProxy _proxy;
    private readonly TopNetwork? _top;
    private readonly WebApplication _app;
    private readonly Dictionary<string, FollowerLink> _links = [];
    private readonly Lock _linksGate = new();
    private readonly Lock _logGate = new();
    private readonly List<EpochResult> _history = [];
    private readonly int _sealedCapacity;
    private float[][]? _topCheckpoint;
    private Uri? _address;
    private ulong _round;
    private ulong _checkpointRound;
    private int _checkpointEpoch = -1;

    private LeaderNode(LeaderOptions options, Enclave enclave, WebApplication app)
    {
        _options = options;
        _enclave = enclave;
        _app = app;
        _proxy = new VerticalFlProxy(enclave, new Ocalls(this));
        _top = options.Plan.Mode == TrainingMode.SplitLayer ? new TopNetwork(options.Plan) : null;
        _topCheckpoint = _top?.Snapshot();
        TrainingPlan plan = options.Plan;
        long floats = ((long)plan.Hidden * plan.Parties.Sum(p => p.EmbeddingDim)) + plan.Hidden + plan.Hidden + 1;
        _sealedCapacity = checked((int)((floats * 4) + (4 * (plan.Parties.Count + 2)) + 16 + 1024));
    }

    /// <summary>The address followers connect to (http://127.0.0.1:port, HTTP/2 without TLS).</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("The leader is not serving yet: StartAsync sets its address.");

    /// <summary>The enclave's engine and identity (what the followers pin).</summary>
    public EnclaveIdentity EnclaveIdentity => _enclave.Identity;

    /// <summary>The epoch of the last checkpoint (-1: none yet); training continues after it.</summary>
    public int CheckpointEpoch => _checkpointEpoch;

    /// <summary>The completed epochs (those behind the last checkpoint survive a resume).</summary>
    public IReadOnlyList<EpochResult> History => _history;

    /// <summary>Starts the enclave (configured with the plan) and the gRPC server.</summary>
    public static async Task<LeaderNode> StartAsync(LeaderOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Plan.Validate();
        var enclaveOptions = new EnclaveOptions();
        if (options.Switchless && options.Engine != EnclaveType.InProcess)
        {
            enclaveOptions.Features.Add(SwitchlessSettings());
        }

        Enclave enclave = Enclave.Create(options.EnclaveImagePath, options.Engine, EnclaveFlags.None, enclaveOptions);
        LeaderNode? leader = null;
        try
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port, l => l.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc(g =>
            {
                g.MaxReceiveMessageSize = 4 * VflLimits.MaxFrameLength;
                g.MaxSendMessageSize = 4 * VflLimits.MaxFrameLength;
            });
            LeaderNode? created = null;
            builder.Services.AddSingleton(_ => created ?? throw new InvalidOperationException("The gRPC service was resolved before the leader was created."));
            WebApplication app = builder.Build();
            app.MapGrpcService<LeaderService>();
            leader = created = new LeaderNode(options, enclave, app);
            leader.Check(leader._proxy.VflConfigure(options.Plan.Encode()), "vfl_configure");
            if (options.CheckpointDirectory is { } directory && LeaderCheckpoint.Load(directory) is { } saved)
            {
                leader.Restore(saved);
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            leader._address = new Uri(app.Urls.First());
            leader.LogLine($"leader: enclave {enclave.Identity.MeasurementHex[..16]}... on {enclave.EngineName}, {options.Plan.Mode} mode, serving {leader.Address}");
            return leader;
        }
        catch
        {
            if (leader is not null)
            {
                await leader.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await enclave.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The switchless settings of the per-batch ECALLs: a task must hold a whole secure channel frame and its reply
    /// buffer (<see cref="VflLimits.ReplyCapacity"/>), far above the 4 KiB default; a few tasks suffice (the leader
    /// makes one call at a time per follower).
    /// </summary>
    public static SwitchlessOptions SwitchlessSettings() => new()
    {
        MaxInlinePayload = 2 * VflLimits.ReplyCapacity + 8 - ((2 * VflLimits.ReplyCapacity) % 8),
        PoolSize = 8,
    };

    /// <summary>
    /// Trains until <paramref name="epochs"/> epochs are complete, starting after the last checkpoint (a fresh run
    /// starts at epoch 0; after a drop-out, the followers reconnect and this resumes). Waits for every follower of
    /// the plan to be connected first.
    /// </summary>
    public async Task<IReadOnlyList<EpochResult>> TrainAsync(int epochs, IProgress<EpochResult>? progress = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<FollowerLink> links = await WaitForFollowersAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ResumeAsync(links, cancellationToken).ConfigureAwait(false);
            for (int epoch = _checkpointEpoch + 1; epoch < epochs; epoch++)
            {
                var watch = Stopwatch.StartNew();
                double loss = await TrainEpochAsync(links, epoch, cancellationToken).ConfigureAwait(false);
                (double accuracy, double auc) = await EvaluateAsync(links, cancellationToken).ConfigureAwait(false);
                var result = new EpochResult(epoch, loss, accuracy, auc, watch.Elapsed);
                await CheckpointAsync(links, result, cancellationToken).ConfigureAwait(false);
                progress?.Report(result);
            }
        }
        catch (VerticalFlException ex) when (ex.Status != VflStatus.EnclaveRefused)
        {
            LogLine($"leader: training stopped in round {_round}: {ex.Message}");
            throw new VerticalFlException(ex.Status, $"{ex.Message}. Training stopped in round {_round.ToString(CultureInfo.InvariantCulture)}; the model is the checkpoint of epoch {_checkpointEpoch.ToString(CultureInfo.InvariantCulture)} (nothing after it is kept). Reconnect the follower and call TrainAsync again to resume from there.", ex);
        }

        return _history;
    }

    /// <summary>Predicted probabilities for <paramref name="ids"/> with the current model (evaluation rounds, no update).</summary>
    public async Task<float[]> PredictAsync(int[] ids, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<FollowerLink> links = await WaitForFollowersAsync(cancellationToken).ConfigureAwait(false);
        var probabilities = new List<float>();
        foreach (int[] batch in FixedSplit.EvaluationBatches(ids, _options.Plan.MaxBatch))
        {
            probabilities.AddRange(await RoundAsync(links, batch, train: false, cancellationToken).ConfigureAwait(false));
        }

        return [.. probabilities];
    }

    /// <summary>Tells every follower the run is over (they close their channels and return).</summary>
    public async Task FinishAsync()
    {
        foreach (FollowerLink link in Snapshot())
        {
            if (!link.Dropped)
            {
                await link.SendAsync(new LeaderMessage { Finish = new Finish() }).ConfigureAwait(false);
                link.Finish();
            }
        }
    }

    /// <summary>Stops the server and the enclave.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (FollowerLink link in Snapshot())
        {
            link.Finish();
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _top?.Dispose();
        await _enclave.DisposeAsync().ConfigureAwait(false);
    }

    internal FollowerLink Attach(string party, int checkpointEpoch, IServerStreamWriter<LeaderMessage> output, CancellationToken connectionClosed)
    {
        if (!_options.Plan.Parties.Any(p => p.Name == party))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"party '{party}' is not in this run's plan"));
        }

        lock (_linksGate)
        {
            if (_links.TryGetValue(party, out FollowerLink? existing) && !existing.Dropped)
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"party '{party}' is already connected"));
            }

            var link = new FollowerLink(party, checkpointEpoch, output, connectionClosed);
            _links[party] = link;
            LogLine($"leader: follower '{party}' connected (its last checkpoint: epoch {checkpointEpoch.ToString(CultureInfo.InvariantCulture)})");
            return link;
        }
    }

    internal void Detach(FollowerLink link)
    {
        lock (_linksGate)
        {
            if (_links.TryGetValue(link.Party, out FollowerLink? current) && ReferenceEquals(current, link) && link.Dropped)
            {
                _links.Remove(link.Party);
            }
        }
    }

    // One follower frame into the enclave and the reply frames back: the host sees lengths and event codes only.
    internal async Task RelayAsync(FollowerLink link, byte[] received)
    {
        IReadOnlyList<byte[]> frames = _options.FrameInterceptor?.Invoke(link.Party, received) ?? [received];
        foreach (byte[] frame in frames)
        {
            Record(frame);
            var replies = new byte[VflLimits.ReplyCapacity];
            int length = _proxy.VflChannel(frame, replies, out int code);
            var ev = (VflEvent)code;
            LogLine($"relay: '{link.Party}' -> enclave {frame.Length} bytes; enclave -> '{link.Party}' {Math.Max(length, 0)} bytes ({ev})");
            if (length > 0)
            {
                Record(replies.AsSpan(0, length));
                await link.SendAsync(new LeaderMessage { ChannelFrame = ByteString.CopyFrom(replies, 0, length) }).ConfigureAwait(false);
            }

            LinkEventKind? kind = ev switch
            {
                VflEvent.Joined => LinkEventKind.Joined,
                VflEvent.EmbeddingsAccepted => LinkEventKind.EmbeddingsAccepted,
                VflEvent.GradientSent => LinkEventKind.GradientSent,
                VflEvent.Refused => LinkEventKind.Refused,
                _ => length < 0 ? LinkEventKind.Refused : null,
            };
            if (kind is { } k)
            {
                link.Post(new LinkEvent(k, _round, 0, null));
            }
        }
    }

    internal void LogLine(string line)
    {
        lock (_logGate)
        {
            _options.Log.WriteLine(line);
        }
    }

    private async Task ResumeAsync(IReadOnlyList<FollowerLink> links, CancellationToken cancellationToken)
    {
        int epoch = Check(_proxy.VflRollback(), "vfl_rollback") - 1;
        if (epoch != _checkpointEpoch)
        {
            throw new VerticalFlException(VflStatus.NotReady, $"the enclave's checkpoint is of epoch {epoch}, the leader's of epoch {_checkpointEpoch}");
        }

        if (_topCheckpoint is not null)
        {
            _top!.Restore(_topCheckpoint);
        }

        _round = _checkpointRound;
        _history.RemoveAll(r => r.Epoch > _checkpointEpoch);
        foreach (FollowerLink link in links)
        {
            link.DrainStale();
            await link.SendAsync(new LeaderMessage { Rollback = new Rollback { Epoch = _checkpointEpoch } }).ConfigureAwait(false);
        }

        foreach (FollowerLink link in links)
        {
            await ExpectAsync(link, LinkEventKind.Joined, "its Hello", cancellationToken).ConfigureAwait(false);
            LinkEvent ack = await ExpectAsync(link, LinkEventKind.Ack, "its rollback", cancellationToken).ConfigureAwait(false);
            if (ack.Round != _round)
            {
                throw new VerticalFlException(VflStatus.WrongRound, $"follower '{link.Party}' was welcomed at round {ack.Round}; the leader resumes at round {_round}");
            }
        }

        LogLine($"leader: {links.Count} followers at the checkpoint of epoch {_checkpointEpoch.ToString(CultureInfo.InvariantCulture)}, round {_round.ToString(CultureInfo.InvariantCulture)}");
    }

    private async Task<double> TrainEpochAsync(IReadOnlyList<FollowerLink> links, int epoch, CancellationToken cancellationToken)
    {
        double lossSum = 0;
        int rows = 0;
        foreach (int[] batch in FixedSplit.Batches(_options.TrainIds, _options.Plan.BatchSize, _options.Plan.Seed, epoch))
        {
            float[] probabilities = await RoundAsync(links, batch, train: true, cancellationToken, loss => lossSum += loss * batch.Length).ConfigureAwait(false);
            rows += probabilities.Length;
        }

        return lossSum / rows;
    }

    private async Task<(double Accuracy, double Auc)> EvaluateAsync(IReadOnlyList<FollowerLink> links, CancellationToken cancellationToken)
    {
        var probabilities = new List<float>();
        foreach (int[] batch in FixedSplit.EvaluationBatches(_options.TestIds, _options.Plan.MaxBatch))
        {
            probabilities.AddRange(await RoundAsync(links, batch, train: false, cancellationToken).ConfigureAwait(false));
        }

        byte[] labels = Labels(_options.TestIds);
        return (BinaryMetrics.Accuracy([.. probabilities], labels), BinaryMetrics.Auc([.. probabilities], labels));
    }

    // One round: followers embed the batch into the enclave, the enclave fuses, the top network (host or enclave)
    // computes the loss, and for a training round every party steps.
    private async Task<float[]> RoundAsync(IReadOnlyList<FollowerLink> links, int[] batch, bool train, CancellationToken cancellationToken, Action<double>? onLoss = null)
    {
        ulong round = _round;
        var forward = new Forward { Round = round, Train = train };
        forward.Ids.AddRange(batch);
        foreach (FollowerLink link in links)
        {
            await link.SendAsync(new LeaderMessage { Forward = forward }).ConfigureAwait(false);
        }

        foreach (FollowerLink link in links)
        {
            await ExpectAsync(link, LinkEventKind.EmbeddingsAccepted, $"its embeddings of round {round}", cancellationToken).ConfigureAwait(false);
        }

        byte[] ids = BatchIds.ToBytes(batch);
        byte[] labels = Labels(batch);
        float[] probabilities;
        if (_top is not null)
        {
            var activation = new byte[batch.Length * _options.Plan.Hidden * 4];
            Check(_proxy.VflForward(round, ids, activation), "vfl_forward");
            float[] fused = MemoryMarshal.Cast<byte, float>(activation).ToArray();
            if (train)
            {
                (double loss, float[] grad) = _top.Step(fused, labels);
                onLoss?.Invoke(loss);
                Check(_proxy.VflBackward(round, MemoryMarshal.AsBytes(grad.AsSpan())), "vfl_backward");
                probabilities = new float[batch.Length];
            }
            else
            {
                probabilities = _top.Predict(fused, batch.Length);
            }
        }
        else
        {
            var output = new byte[batch.Length * 4];
            Check(_proxy.VflStrictStep(round, ids, train ? labels : [], output), "vfl_strict_step");
            probabilities = MemoryMarshal.Cast<byte, float>(output).ToArray();
            onLoss?.Invoke(BinaryCrossEntropy(probabilities, labels));
        }

        if (train)
        {
            foreach (FollowerLink link in links)
            {
                await link.SendAsync(new LeaderMessage { Backward = new Backward { Round = round } }).ConfigureAwait(false);
            }

            foreach (FollowerLink link in links)
            {
                await ExpectAsync(link, LinkEventKind.GradientSent, $"its gradient fetch of round {round}", cancellationToken).ConfigureAwait(false);
                await ExpectAsync(link, LinkEventKind.Ack, $"its step of round {round}", cancellationToken).ConfigureAwait(false);
            }
        }

        _round++;
        return probabilities;
    }

    // After a crash: the sealed enclave state goes back into the new enclave (which checks it was sealed by an enclave
    // of this signer for this plan), the host's own part back into the host.
    private void Restore(LeaderCheckpoint saved)
    {
        int epoch = Check(_proxy.VflRestore(saved.Sealed), "vfl_restore") - 1;
        if (epoch != saved.Epoch || saved.Top.Length != (_top is null ? 0 : 2))
        {
            throw new VerticalFlException(VflStatus.CheckpointRejected, $"the leader's checkpoint file names epoch {saved.Epoch} with {saved.Top.Length} top-network blocks; the sealed state is of epoch {epoch}");
        }

        if (_top is not null)
        {
            _top.Restore(saved.Top);
            _topCheckpoint = saved.Top;
        }

        _checkpointEpoch = epoch;
        _checkpointRound = saved.Round;
        _round = saved.Round;
        _history.AddRange(saved.History.Where(r => r.Epoch <= epoch));
        LogLine($"leader: resumed from the sealed checkpoint of epoch {epoch.ToString(CultureInfo.InvariantCulture)} (round {saved.Round.ToString(CultureInfo.InvariantCulture)})");
    }

    private async Task CheckpointAsync(IReadOnlyList<FollowerLink> links, EpochResult result, CancellationToken cancellationToken)
    {
        int epoch = result.Epoch;
        // Followers first: each keeps its last two checkpoints, so a drop-out between their save and the enclave's
        // still leaves every party able to return to the enclave's checkpoint.
        foreach (FollowerLink link in links)
        {
            await link.SendAsync(new LeaderMessage { Checkpoint = new Checkpoint { Epoch = epoch } }).ConfigureAwait(false);
        }

        foreach (FollowerLink link in links)
        {
            await ExpectAsync(link, LinkEventKind.Ack, $"its checkpoint of epoch {epoch}", cancellationToken).ConfigureAwait(false);
        }

        var blob = new byte[_sealedCapacity];
        int length = Check(_proxy.VflCheckpoint(epoch, blob), "vfl_checkpoint");
        _topCheckpoint = _top?.Snapshot();
        _checkpointEpoch = epoch;
        _checkpointRound = _round;
        _history.Add(result);
        if (_options.CheckpointDirectory is { } directory)
        {
            new LeaderCheckpoint(epoch, _round, blob[..length], _topCheckpoint ?? [], [.. _history]).Save(directory);
        }
    }

    private async Task<IReadOnlyList<FollowerLink>> WaitForFollowersAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            FollowerLink[] links = Snapshot();
            string[] missing = [.. _options.Plan.Parties.Select(p => p.Name).Where(name => !links.Any(l => l.Party == name && !l.Dropped))];
            if (missing.Length == 0)
            {
                return [.. _options.Plan.Parties.Select(p => links.First(l => l.Party == p.Name))];
            }

            if (deadline.Elapsed > _options.StepTimeout)
            {
                throw new VerticalFlException(VflStatus.FollowerDropped, $"followers {string.Join(", ", missing.Select(m => $"'{m}'"))} did not connect within {_options.StepTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<LinkEvent> ExpectAsync(FollowerLink link, LinkEventKind kind, string what, CancellationToken cancellationToken) =>
        link.ExpectAsync(kind, what, _options.StepTimeout, LastEnclaveError, cancellationToken);

    private FollowerLink[] Snapshot()
    {
        lock (_linksGate)
        {
            return [.. _links.Values];
        }
    }

    private byte[] Labels(int[] ids)
    {
        var labels = new byte[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            labels[i] = _options.Labels.TryGetValue(ids[i], out byte label)
                ? label
                : throw new VerticalFlException(VflStatus.Misaligned, $"the leader has no label for sample id {ids[i]}");
        }

        return labels;
    }

    private static double BinaryCrossEntropy(float[] probabilities, byte[] labels)
    {
        double sum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double p = Math.Clamp(probabilities[i], 1e-7, 1 - 1e-7);
            sum -= labels[i] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }

        return sum / labels.Length;
    }

    private int Check(int result, string call)
    {
        if (result >= 0)
        {
            return result;
        }

        var status = (VflStatus)result;
        throw new VerticalFlException(status, $"{call} failed: {LastEnclaveError()}");
    }

    private string LastEnclaveError()
    {
        var buffer = new byte[2048];
        int length = _proxy.VflLastError(buffer);
        return Encoding.UTF8.GetString(buffer, 0, Math.Clamp(length, 0, buffer.Length));
    }

    private void Record(ReadOnlySpan<byte> bytes)
    {
        if (_options.RelayRecord is { } record)
        {
            lock (record)
            {
                record.Write(bytes);
            }
        }
    }

    private sealed class Ocalls(LeaderNode leader) : IVerticalFlOcalls
    {
        public void VflLog(string? message) => leader.LogLine(message ?? "");
    }
}
