using SecGear.Host;

namespace SecGear.VerticalFl;

/// <summary>How the leader runs: the plan, its labels, the split, the enclave, and where it logs.</summary>
public sealed record LeaderOptions
{
    /// <summary>The training plan (mode, widths, seed, learning rate, followers).</summary>
    public required TrainingPlan Plan { get; init; }

    /// <summary>The labels by sample id (the leader's own data).</summary>
    public required IReadOnlyDictionary<int, byte> Labels { get; init; }

    /// <summary>The training ids.</summary>
    public required int[] TrainIds { get; init; }

    /// <summary>The test ids.</summary>
    public required int[] TestIds { get; init; }

    /// <summary>The split-layer enclave's signed image; default: SecGear.VerticalFl.Enclave.sgimage next to the application.</summary>
    public string EnclaveImagePath { get; init; } = Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage");

    /// <summary>
    /// The engine: <see cref="EnclaveType.Simulation"/> (default: the enclave in its own verified process) or
    /// <see cref="EnclaveType.InProcess"/> (the same split-layer code inside the leader's process, no isolation: the
    /// "plain split layer on the leader" of the benchmarks).
    /// </summary>
    public EnclaveType Engine { get; init; } = EnclaveType.Simulation;

    /// <summary>Create the enclave with switchless calls (the per-batch ECALLs are declared transition_using_threads).</summary>
    public bool Switchless { get; init; } = true;

    /// <summary>The gRPC port on 127.0.0.1 (0: any free port; see <see cref="LeaderNode.Address"/>).</summary>
    public int Port { get; init; }

    /// <summary>The leader host's log: events, lengths and reasons; never embeddings or gradients.</summary>
    public TextWriter Log { get; init; } = TextWriter.Null;

    /// <summary>When set, every byte the host relays between followers and the enclave is appended here (for audits and tests).</summary>
    public Stream? RelayRecord { get; init; }

    /// <summary>
    /// Where the leader keeps its checkpoint (the enclave's sealed state, the top network, the results so far) after
    /// every epoch, and resumes from when it starts again after a crash; null keeps checkpoints in memory only.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>How long to wait for a follower's answer before calling it dropped.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Test hook that plays a malicious host: gets each frame a follower sent (party, frame) and returns the frames to
    /// hand to the enclave instead (changed, repeated, held back). Null relays faithfully.
    /// </summary>
    public Func<string, byte[], IReadOnlyList<byte[]>>? FrameInterceptor { get; init; }
}
