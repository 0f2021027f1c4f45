using SecGear.FederatedSql.Protocol;
using SecGear.Host;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>How the coordinator at site A starts its aggregation enclave and reaches the sites.</summary>
public sealed class CoordinatorOptions
{
    /// <summary>The signed aggregation enclave image.</summary>
    public required string ImagePath { get; init; }

    /// <summary>The federation's sites.</summary>
    public required IReadOnlyList<SiteEndpoint> Sites { get; init; }

    /// <summary>The engine (default: simulation, the enclave in its own process).</summary>
    public EnclaveType EnclaveType { get; init; } = EnclaveType.Simulation;

    /// <summary>
    /// Create the enclave with the switchless feature and relay partial-result records through the switchless twin of
    /// the merge ECALL (<c>fsql_channel_batch_switchless</c>; default false: regular calls). Merging a record takes 20 µs
    /// to milliseconds, so the transition saved is small, and on a machine without a free core the polling worker costs
    /// more than it saves (docs/federated-sql.md, "Performance").
    /// </summary>
    public bool Switchless { get; init; }

    /// <summary>
    /// The roster to configure the enclave with (sites, analysts, k floor). Null: the sites of <see cref="Sites"/>, no
    /// analysts (answers go to this host), and <see cref="MinGroupRowsFloor"/>. Every site must have pinned the same.
    /// </summary>
    public FederationConfig? Roster { get; init; }

    /// <summary>No query may ask for a smaller disclosure k (default 1; ignored when <see cref="Roster"/> is set).</summary>
    public int MinGroupRowsFloor { get; init; } = 1;

    /// <summary>How long a site may take for one query (default 2 minutes).</summary>
    public TimeSpan SiteTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The host's log (default: none). It records plans, frame types and sizes, and outcomes; never values.</summary>
    public TextWriter? Log { get; init; }

    /// <summary>
    /// Sees every frame the host relays and returns the frame to forward (tests record, tamper with or replay frames
    /// here; a relay is untrusted, so nothing the enclave relies on may depend on it). Null: forward as is.
    /// </summary>
    public Func<RelayedFrame, byte[]>? Relay { get; init; }
}
