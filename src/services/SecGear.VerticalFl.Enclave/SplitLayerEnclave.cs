using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecGear.SecureChannel;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Sealing;
using SecGear.VerticalFl.Boundary;

namespace SecGear.VerticalFl.Enclave;

/// <summary>
/// The enclave's implementation of vertical_fl.edl. Every follower's secure channel ends here: embeddings are
/// decrypted only in this process, the fused layer (and in strict mode the top layer and loss) runs here, and each
/// follower's gradient goes back sealed under that follower's session keys. A follower authenticates with a client
/// certificate whose key the plan pins to its party; the enclave binds each session to the party of its key, never to
/// the name a message claims. The host gets the fused output (split-layer mode) or predictions (strict mode), event
/// codes, sealed checkpoints, and failure reasons that name checks, never data.
/// </summary>
public sealed class SplitLayerEnclave : IVerticalFlEcalls, IDisposable
{
    [ThreadStatic]
    private static VflEvent t_event;

    private static readonly byte[] CheckpointLabel = "SecGear.VerticalFl/checkpoint/v1"u8.ToArray();
    private readonly VerticalFlOcallProxy _host;
    private readonly EnclaveSealer _sealer;
    private readonly SecureChannelServer _server;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _sessions = [];
    private volatile TrainingState? _state;
    private string _lastError = "";

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public SplitLayerEnclave(EnclaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _host = new VerticalFlOcallProxy(context.Ocalls);
        var platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot produce attestation evidence.");
        _sealer = context.Sealer;
        _server = SecureChannelServer.Create(d => platform.GetEvidence(d), Handle, EnclaveLimits.ChannelOptions(ClientCertificatePolicy.Custom(CheckClient)));
    }

    /// <inheritdoc />
    public int VflConfigure(ReadOnlySpan<byte> plan)
    {
        byte[] copy = plan.ToArray();
        return Run(() =>
        {
            var decoded = TrainingPlan.Decode(copy);
            _sessions.Clear();
            _state = new TrainingState(decoded);
            Log($"configured: mode {decoded.Mode}, {decoded.Parties.Count} parties, hidden {decoded.Hidden}");
            return 0;
        });
    }

    /// <inheritdoc />
    public int VflChannel(ReadOnlySpan<byte> frame, Span<byte> replies, out int @event)
    {
        t_event = VflEvent.None;
        IReadOnlyList<byte[]> answer;
        try
        {
            answer = _server.Process(frame);
        }
        catch (SecureChannelException ex)
        {
            // Tampered, replayed, reordered or unknown-session frames end here: the alert tells the follower why.
            Fail(VflStatus.ChannelRefused, $"secure channel refused a frame ({ex.Reason}): {ex.Message}");
            @event = (int)VflEvent.Refused;
            if (ex.AlertFrame.IsEmpty || ex.AlertFrame.Length > replies.Length)
            {
                return (int)VflStatus.ChannelRefused;
            }

            ex.AlertFrame.Span.CopyTo(replies);
            return ex.AlertFrame.Length;
        }
        catch (Exception ex) when (ex is VerticalFlException or ArgumentException)
        {
            @event = (int)VflEvent.Refused;
            return Fail(VflStatus.InvalidInput, ex.Message);
        }

        @event = (int)t_event;
        int total = answer.Sum(f => f.Length);
        if (total > replies.Length)
        {
            @event = (int)VflEvent.Refused;
            return Fail(VflStatus.BufferTooSmall, $"the {total}-byte answer does not fit the host's {replies.Length}-byte buffer");
        }

        int offset = 0;
        foreach (byte[] reply in answer)
        {
            reply.CopyTo(replies[offset..]);
            offset += reply.Length;
        }

        return total;
    }

    /// <inheritdoc />
    public int VflForward(ulong round, ReadOnlySpan<byte> ids, Span<byte> activations)
    {
        byte[] idsCopy = ids.ToArray();
        return TryRun(
            () =>
            {
                TrainingState state = Configured();
                if (state.Plan.Mode != TrainingMode.SplitLayer)
                {
                    throw new VerticalFlException(VflStatus.WrongMode, "strict mode: the host gets no activations; use vfl_strict_step");
                }

                return state.Forward(round, idsCopy);
            },
            out float[]? output,
            out int refused)
            ? CopyOut(output, activations)
            : refused;
    }

    /// <inheritdoc />
    public int VflBackward(ulong round, ReadOnlySpan<byte> grad)
    {
        byte[] copy = grad.ToArray();
        return Run(() =>
        {
            TrainingState state = Configured();
            if (state.Plan.Mode != TrainingMode.SplitLayer)
            {
                throw new VerticalFlException(VflStatus.WrongMode, "strict mode: the top layer's gradient is computed inside");
            }

            state.Backward(round, copy);
            return 0;
        });
    }

    /// <inheritdoc />
    public int VflStrictStep(ulong round, ReadOnlySpan<byte> ids, ReadOnlySpan<byte> labels, Span<byte> probabilities)
    {
        byte[] idsCopy = ids.ToArray();
        byte[] labelsCopy = labels.ToArray();
        return TryRun(
            () =>
            {
                TrainingState state = Configured();
                if (state.Plan.Mode != TrainingMode.Strict)
                {
                    throw new VerticalFlException(VflStatus.WrongMode, "split-layer mode: the top layer runs on the host");
                }

                return state.StrictStep(round, idsCopy, labelsCopy);
            },
            out float[]? output,
            out int refused)
            ? CopyOut(output, probabilities)
            : refused;
    }

    /// <inheritdoc />
    public int VflCheckpoint(int epoch, Span<byte> @sealed)
    {
        if (!TryRun(
            () =>
            {
                TrainingState state = Configured();
                state.Checkpoint(epoch);
                byte[] plaintext = state.ExportCheckpoint();
                try
                {
                    return _sealer.Seal(plaintext, CheckpointBinding(state.Plan));
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(plaintext);
                }
            },
            out byte[]? blob,
            out int refused))
        {
            return refused;
        }

        if (blob.Length > @sealed.Length)
        {
            return Fail(VflStatus.BufferTooSmall, $"the sealed checkpoint is {blob.Length} bytes; the host's buffer holds {@sealed.Length}");
        }

        blob.CopyTo(@sealed);
        return blob.Length;
    }

    /// <inheritdoc />
    public int VflRestore(ReadOnlySpan<byte> @sealed)
    {
        byte[] copy = @sealed.ToArray();
        return Run(() =>
        {
            TrainingState state = Configured();
            if (!_sealer.TryUnseal(copy, out UnsealedData? data))
            {
                throw new VerticalFlException(VflStatus.CheckpointRejected, "the sealed checkpoint does not unseal here (altered, or sealed by another signer, product or platform)");
            }

            using (data)
            {
                if (!data.AdditionalData.AsSpan().SequenceEqual(CheckpointBinding(state.Plan)))
                {
                    throw new VerticalFlException(VflStatus.CheckpointRejected, "the sealed checkpoint belongs to another training plan");
                }

                state.ImportCheckpoint(data.Plaintext);
            }

            Log($"restored the sealed checkpoint of epoch {state.CheckpointEpoch}");
            return state.CheckpointEpoch + 1;
        });
    }

    /// <inheritdoc />
    public int VflRollback() => Run(() =>
    {
        int epoch = Configured().Rollback();
        _sessions.Clear();
        Log($"rolled back to the checkpoint of epoch {epoch}; every follower must join again");
        return epoch + 1;
    });

    /// <inheritdoc />
    public int VflLastError(Span<byte> message)
    {
        lock (_gate)
        {
            byte[] text = Encoding.UTF8.GetBytes(_lastError);
            int length = Math.Min(text.Length, message.Length);
            text.AsSpan(0, length).CopyTo(message);
            return length;
        }
    }

    /// <summary>Closes every session and forgets its keys.</summary>
    public void Dispose() => _server.Dispose();

    // One application message of an established session (called by the channel server inside vfl_channel).
    private byte[]? Handle(SecureChannelRequest request)
    {
        lock (_gate)
        {
            var session = new Guid(request.SessionId.Span);
            try
            {
                TrainingState state = Configured();
                VflMessage message = VflMessage.Decode(request.Message.Span);
                switch (message)
                {
                    case HelloMessage hello:
                        int party = Bind(state, session, hello, request.ClientCertificate.Span);
                        t_event = VflEvent.Joined;
                        return new WelcomeMessage(party, state.Round, state.CheckpointEpoch, state.Plan.Encode()).Encode();
                    case EmbeddingsMessage embeddings:
                        state.Accept(PartyOf(session), embeddings);
                        t_event = VflEvent.EmbeddingsAccepted;
                        return null;
                    case GradientRequestMessage fetch:
                        byte[] gradient = state.TakeGradient(PartyOf(session), fetch.Round).Encode();
                        t_event = VflEvent.GradientSent;
                        return gradient;
                    default:
                        throw new VerticalFlException(VflStatus.InvalidInput, $"a follower does not send {message.GetType().Name}");
                }
            }
            catch (VerticalFlException ex)
            {
                Fail(ex.Status, ex.Message);
                t_event = VflEvent.Refused;
                return new ErrorMessage(ex.Status, ex.Message).Encode();
            }
        }
    }

    // The session's party is the one whose pinned key the client proved in the handshake; the name in Hello must agree.
    private int Bind(TrainingState state, Guid session, HelloMessage hello, ReadOnlySpan<byte> certificate)
    {
        int party = state.PartyIndex(hello.Party)
            ?? throw new VerticalFlException(VflStatus.UnknownParty, $"party '{hello.Party}' is not in the plan");
        int? authenticated = PartyOfKey(state.Plan, certificate);
        if (authenticated != party)
        {
            throw new VerticalFlException(
                VflStatus.Unauthenticated,
                authenticated is { } other
                    ? $"this session authenticated as party '{state.Plan.Parties[other].Name}' and claims to be party '{hello.Party}'"
                    : $"this session's key is not the key the plan pins for party '{hello.Party}'");
        }

        if (state.Plan.Parties[party].EmbeddingDim != hello.EmbeddingDim)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"party '{hello.Party}' sends {hello.EmbeddingDim}-wide embeddings; the plan says {state.Plan.Parties[party].EmbeddingDim}");
        }

        foreach ((Guid other, int bound) in _sessions)
        {
            if (bound == party && other != session)
            {
                throw new VerticalFlException(VflStatus.UnknownParty, $"party '{hello.Party}' is already bound to another session");
            }
        }

        _sessions[session] = party;
        Log($"party '{hello.Party}' joined (round {state.Round})");
        return party;
    }

    private int PartyOf(Guid session) =>
        _sessions.TryGetValue(session, out int party)
            ? party
            : throw new VerticalFlException(VflStatus.UnknownParty, "this session has not said Hello (or the run was rolled back)");

    // Called by the channel server during a handshake: only keys the current plan pins may open a session.
    private string? CheckClient(X509Certificate2 certificate, DateTimeOffset now) =>
        _state is not { } state
            ? "no training run is configured"
            : PartyOfKey(state.Plan, certificate.RawData) is null
                ? "the certificate's key is not pinned for any party of the configured plan"
                : null;

    private static int? PartyOfKey(TrainingPlan plan, ReadOnlySpan<byte> certificate)
    {
        if (certificate.IsEmpty)
        {
            return null;
        }

        using X509Certificate2 parsed = X509CertificateLoader.LoadCertificate(certificate);
        byte[] pin = SHA256.HashData(parsed.PublicKey.ExportSubjectPublicKeyInfo());
        for (int i = 0; i < plan.Parties.Count; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(pin, plan.Parties[i].ClientKeySha256))
            {
                return i;
            }
        }

        return null;
    }

    // The additional data of a sealed checkpoint: it restores only into a run of the same plan.
    private static byte[] CheckpointBinding(TrainingPlan plan) => [.. CheckpointLabel, .. SHA256.HashData(plan.Encode())];

    private TrainingState Configured() =>
        _state ?? throw new VerticalFlException(VflStatus.NotConfigured, "no training run is configured (vfl_configure)");

    private int Run(Func<int> action)
    {
        lock (_gate)
        {
            try
            {
                return action();
            }
            catch (VerticalFlException ex)
            {
                return Fail(ex.Status, ex.Message);
            }
        }
    }

    /// <summary>
    /// <see cref="Run"/> for a call that produces a result: false, with the refusal's status in
    /// <paramref name="refused"/>, when the call is refused.
    /// </summary>
    private bool TryRun<T>(Func<T> action, [NotNullWhen(true)] out T? result, out int refused)
        where T : class
    {
        lock (_gate)
        {
            try
            {
                result = action();
                refused = 0;
                return true;
            }
            catch (VerticalFlException ex)
            {
                result = null;
                refused = Fail(ex.Status, ex.Message);
                return false;
            }
        }
    }

    private int Fail(VflStatus status, string reason)
    {
        lock (_gate)
        {
            _lastError = $"{status}: {reason}";
        }

        Log("refused: " + _lastError);
        return (int)status;
    }

    private int CopyOut(float[] values, Span<byte> destination)
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (bytes.Length > destination.Length)
        {
            return Fail(VflStatus.BufferTooSmall, $"the output is {bytes.Length} bytes; the host's buffer holds {destination.Length}");
        }

        bytes.CopyTo(destination);
        return bytes.Length;
    }

    private void Log(string message) => _host.VflLog("enclave: " + message);
}
