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

    /// <summary>Relay frames into the enclave with switchless calls (default true).</summary>
    public bool Switchless { get; init; } = true;

    /// <summary>No query may ask for a smaller disclosure k (default 1).</summary>
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
