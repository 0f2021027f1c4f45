using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SecGear.SecureChannel;
using SecGear.VerticalFl.Grpc;
using TorchSharp;
using static TorchSharp.torch;

namespace SecGear.VerticalFl;

/// <summary>
/// A follower: holds some features of the users, runs its bottom network (TorchSharp), and talks to the leader over
/// one gRPC stream. Before sending anything it verifies the leader's split-layer enclave against its own policy and
/// opens a secure channel that ends inside it, authenticating with its own key; its embeddings and gradients exist in
/// plaintext only here and in the enclave. The enclave shows it the plan it runs, and the follower refuses to train
/// unless that is exactly the plan its operator configured. It follows the leader's commands (which ids, which round)
/// and refuses anything out of turn.
/// </summary>
public sealed class FollowerNode : IDisposable
{
    private readonly FollowerOptions _options;
    private readonly PartySpec _spec;
    private readonly BottomNetwork _bottom;
    private readonly optim.Optimizer _optimizer;
    private readonly FollowerCheckpoints _checkpoints;
    private Pending? _pending;

    /// <summary>Creates the follower and its bottom network (from its latest checkpoint file when there is one).</summary>
    public FollowerNode(FollowerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Plan.Validate();
        _options = options;
        _spec = options.Spec;
        if (_spec.Features != options.Data.FeatureCount)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"the plan gives party '{options.Party}' {_spec.Features} features; its data has {options.Data.FeatureCount}");
        }

        _bottom = new BottomNetwork(options.Plan.Seed, options.PartyIndex, options.Data.FeatureCount, _spec.EmbeddingDim);
        _optimizer = optim.SGD(_bottom.Linear.parameters(), options.Plan.LearningRate);
        _checkpoints = new FollowerCheckpoints(options.Party, options.CheckpointDirectory, _bottom.Snapshot());
    }

    /// <summary>The latest epoch this follower holds a checkpoint of (-1: none).</summary>
    public int CheckpointEpoch => _checkpoints.Latest;

    /// <summary>The bottom network's parameters now (weight, bias).</summary>
    public float[][] Parameters() => _bottom.Snapshot();

    /// <summary>
    /// Connects to the leader, attests its enclave and follows its commands until it says Finish. Throws
    /// <see cref="VerticalFlException"/> with <see cref="VflStatus.EnclaveRefused"/> when the enclave fails the policy
    /// (nothing is sent to it then), or with the enclave's reason when it refuses a message.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var grpc = GrpcChannel.ForAddress(_options.Leader, new GrpcChannelOptions { MaxReceiveMessageSize = 4 * VflLimits.MaxFrameLength, MaxSendMessageSize = 4 * VflLimits.MaxFrameLength });
        var client = new VerticalFlLeader.VerticalFlLeaderClient(grpc);
        using AsyncDuplexStreamingCall<FollowerMessage, LeaderMessage> call = client.Connect(cancellationToken: cancellationToken);
        using var writeGate = new SemaphoreSlim(1, 1);
        async Task WriteAsync(FollowerMessage message)
        {
            await writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await call.RequestStream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                writeGate.Release();
            }
        }

        await WriteAsync(new FollowerMessage { Join = new Join { Party = _options.Party, CheckpointEpoch = _checkpoints.Latest } }).ConfigureAwait(false);
        await using var transport = new CallbackTransport(
            (bytes, _) => new ValueTask(WriteAsync(new FollowerMessage { ChannelFrame = ByteString.CopyFrom(bytes.Span) })),
            4L * VflLimits.MaxFrameLength);
        var commands = Channel.CreateUnbounded<LeaderMessage>();
        Task reading = PumpAsync(call.ResponseStream, transport, commands.Writer, cancellationToken);

        SecureChannelClient channel;
        try
        {
            channel = await SecureChannelClient.ConnectAsync(transport, _options.Trust.Verifier, _options.Trust.Policy, ChannelOptions(_options.Credential), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (SecureChannelException ex) when (ex.Reason is SecureChannelFailureCode.ClientCertificateRequired or SecureChannelFailureCode.ClientCertificateRejected or SecureChannelFailureCode.ClientCertificateSignatureInvalid)
        {
            string reason = $"the enclave refused follower '{_options.Party}''s certificate: {ex.Reason}: {ex.Message}";
            await TryWriteAsync(WriteAsync, new FollowerMessage { Failure = reason }).ConfigureAwait(false);
            throw new VerticalFlException(VflStatus.Unauthenticated, reason, ex);
        }
        catch (SecureChannelException ex)
        {
            string reason = $"follower '{_options.Party}' refused the leader's enclave: {ex.Reason}: {ex.Message}";
            await TryWriteAsync(WriteAsync, new FollowerMessage { Failure = reason }).ConfigureAwait(false);
            throw new VerticalFlException(VflStatus.EnclaveRefused, reason, ex);
        }

        await using (channel.ConfigureAwait(false))
        {
            try
            {
                await foreach (LeaderMessage command in commands.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (command.KindCase == LeaderMessage.KindOneofCase.Finish)
                    {
                        await channel.CloseAsync(cancellationToken).ConfigureAwait(false);
                        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
                        break;
                    }

                    FollowerMessage? answer = await ExecuteAsync(command, channel, cancellationToken).ConfigureAwait(false);
                    if (answer is not null)
                    {
                        await WriteAsync(answer).ConfigureAwait(false);
                    }
                }
            }
            catch (VerticalFlException ex)
            {
                await TryWriteAsync(WriteAsync, new FollowerMessage { Failure = $"follower '{_options.Party}': {ex.Status}: {ex.Message}" }).ConfigureAwait(false);
                throw;
            }
            catch (Exception ex) when (ex is not (VerticalFlException or SecureChannelException or OperationCanceledException))
            {
                // Anything else (TorchSharp, I/O) still tells the leader why this follower stops, instead of a bare abort.
                await TryWriteAsync(WriteAsync, new FollowerMessage { Failure = $"follower '{_options.Party}' failed: {ex.GetType().Name}: {ex.Message}" }).ConfigureAwait(false);
                throw;
            }
            catch (SecureChannelException ex)
            {
                // The enclave closed the session (e.g. the host tampered with, replayed or reordered a record).
                string reason = $"follower '{_options.Party}': the secure channel to the enclave failed: {ex.Reason}: {ex.Message}";
                await TryWriteAsync(WriteAsync, new FollowerMessage { Failure = reason }).ConfigureAwait(false);
                throw new VerticalFlException(VflStatus.ChannelRefused, reason, ex);
            }
            finally
            {
                DropPending();
            }
        }

        await reading.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DropPending();
        _optimizer.Dispose();
        _bottom.Dispose();
    }

    private static SecureChannelOptions ChannelOptions(ClientCredential credential) => new()
    {
        MaxFrameLength = VflLimits.MaxFrameLength,
        MaxRecordPayload = VflLimits.MaxRecordPayload,
        ClientCredential = credential,
    };

    private static async Task TryWriteAsync(Func<FollowerMessage, Task> write, FollowerMessage message)
    {
        try
        {
            await write(message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or OperationCanceledException or IOException)
        {
            // The leader is gone already; the caller's exception says what happened.
        }
    }

    // Channel frames from the leader go to the secure channel; everything else is a command, handled in order.
    private static async Task PumpAsync(IAsyncStreamReader<LeaderMessage> input, CallbackTransport transport, ChannelWriter<LeaderMessage> commands, CancellationToken cancellationToken)
    {
        try
        {
            while (await input.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                LeaderMessage message = input.Current;
                if (message.KindCase == LeaderMessage.KindOneofCase.ChannelFrame)
                {
                    await transport.DeliverAsync(message.ChannelFrame.Memory, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await commands.WriteAsync(message, cancellationToken).ConfigureAwait(false);
                }
            }

            commands.TryComplete();
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException or SecureChannelException or InvalidOperationException)
        {
            commands.TryComplete(new VerticalFlException(VflStatus.FollowerDropped, $"the connection to the leader ended: {ex.Message}", ex));
        }
        finally
        {
            transport.CompleteReceiving();
        }
    }

    private async Task<FollowerMessage?> ExecuteAsync(LeaderMessage command, SecureChannelClient channel, CancellationToken cancellationToken)
    {
        switch (command.KindCase)
        {
            case LeaderMessage.KindOneofCase.Forward:
                await EmbedAsync(command.Forward, channel, cancellationToken).ConfigureAwait(false);
                return null;
            case LeaderMessage.KindOneofCase.Backward:
                await StepAsync(command.Backward.Round, channel, cancellationToken).ConfigureAwait(false);
                return new FollowerMessage { Ack = new Ack { Round = command.Backward.Round } };
            case LeaderMessage.KindOneofCase.Checkpoint:
                _checkpoints.Save(command.Checkpoint.Epoch, _bottom.Snapshot());
                return new FollowerMessage { Ack = new Ack { Epoch = command.Checkpoint.Epoch } };
            case LeaderMessage.KindOneofCase.Rollback:
                ulong next = await RollbackAsync(command.Rollback.Epoch, channel, cancellationToken).ConfigureAwait(false);
                return new FollowerMessage { Ack = new Ack { Epoch = command.Rollback.Epoch, Round = next } };
            default:
                throw new VerticalFlException(VflStatus.InvalidInput, $"the leader sent an unknown command ({command.KindCase})");
        }
    }

    private async Task EmbedAsync(Forward forward, SecureChannelClient channel, CancellationToken cancellationToken)
    {
        DropPending();
        int rows = forward.Ids.Count;
        if (rows is 0 or > TrainingPlan.MaxBatchLimit)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"the leader asked for a batch of {rows} rows");
        }

        float[] features = _options.Data.Rows(forward.Ids);
        float[] values;

        // TorchSharp's dispose scopes belong to a thread, and this method continues on another one after an await:
        // the scope covers only the synchronous forward, and the embeddings tensor (whose autograd graph libtorch
        // keeps alive) leaves it, to be disposed after the backward step.
        using (NewDisposeScope())
        {
            Tensor embeddings = _bottom.Forward(tensor(features).reshape(rows, _options.Data.FeatureCount));
            values = embeddings.data<float>().ToArray();
            if (forward.Train)
            {
                _pending = new Pending(forward.Round, rows, embeddings.DetachFromDisposeScope());
            }
        }

        _options.Observer?.Invoke("embeddings", forward.Round, values);
        byte[] hash = BatchIds.Hash([.. forward.Ids]);
        await channel.SendAsync(new EmbeddingsMessage(forward.Round, forward.Train, hash, rows, _spec.EmbeddingDim, values).Encode(), cancellationToken).ConfigureAwait(false);
    }

    private async Task StepAsync(ulong round, SecureChannelClient channel, CancellationToken cancellationToken)
    {
        Pending pending = _pending is { } p && p.Round == round
            ? p
            : throw new VerticalFlException(VflStatus.WrongRound, $"the leader asked to step round {round}, but this follower embedded a training batch for round {_pending?.Round.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
        await channel.SendAsync(new GradientRequestMessage(round).Encode(), cancellationToken).ConfigureAwait(false);
        VflMessage reply = await ReceiveAsync(channel, cancellationToken).ConfigureAwait(false);
        if (reply is not GradientMessage gradient || gradient.Round != round || gradient.Rows != pending.Rows || gradient.Dim != _spec.EmbeddingDim)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"the enclave answered the gradient request of round {round} with {Describe(reply)}");
        }

        _options.Observer?.Invoke("gradient", round, gradient.Values);
        using (var step = NewDisposeScope())
        {
            Tensor g = tensor(gradient.Values).reshape(pending.Rows, _spec.EmbeddingDim);

            // d(sum(E * G))/dE = G: autograd carries the enclave's gradient back through the bottom network.
            (pending.Embeddings * g).sum().backward();
            _optimizer.step();
            _optimizer.zero_grad();
        }

        DropPending();
    }

    private async Task<ulong> RollbackAsync(int epoch, SecureChannelClient channel, CancellationToken cancellationToken)
    {
        DropPending();
        _bottom.Restore(_checkpoints.Get(epoch));
        await channel.SendAsync(new HelloMessage(_options.Party, _spec.EmbeddingDim).Encode(), cancellationToken).ConfigureAwait(false);
        VflMessage reply = await ReceiveAsync(channel, cancellationToken).ConfigureAwait(false);
        if (reply is not WelcomeMessage welcome)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"the enclave answered Hello with {Describe(reply)}");
        }

        // The plan arrives inside the attested channel, so it is the plan the enclave really runs, whatever the leader's
        // host says: train only on the plan this follower's operator configured.
        TrainingPlan running;
        try
        {
            running = TrainingPlan.Decode(welcome.Plan);
        }
        catch (VerticalFlException ex)
        {
            throw new VerticalFlException(VflStatus.PlanRejected, $"follower '{_options.Party}' cannot read the enclave's plan: {ex.Message}", ex);
        }

        if (_options.Plan.DifferenceFrom(running) is { } difference)
        {
            throw new VerticalFlException(VflStatus.PlanRejected, $"follower '{_options.Party}' refuses the plan the enclave runs: {difference}");
        }

        if (welcome.PartyIndex != _options.PartyIndex || welcome.CheckpointEpoch != epoch)
        {
            throw new VerticalFlException(VflStatus.WrongRound, $"the enclave is at the checkpoint of epoch {welcome.CheckpointEpoch} (party {welcome.PartyIndex}); the leader asked this follower to return to epoch {epoch}");
        }

        return welcome.NextRound;
    }

    private static async Task<VflMessage> ReceiveAsync(SecureChannelClient channel, CancellationToken cancellationToken)
    {
        byte[] bytes = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new VerticalFlException(VflStatus.FollowerDropped, "the enclave closed the secure channel");
        VflMessage message = VflMessage.Decode(bytes);
        return message is ErrorMessage error
            ? throw new VerticalFlException(error.Status, "the enclave refused: " + error.Reason)
            : message;
    }

    private static string Describe(VflMessage message) => message switch
    {
        GradientMessage g => $"a gradient of round {g.Round} ({g.Rows} x {g.Dim})",
        _ => message.GetType().Name,
    };

    private void DropPending()
    {
        _pending?.Embeddings.Dispose();
        _pending = null;
    }

    private sealed record Pending(ulong Round, int Rows, Tensor Embeddings);
}
