namespace SecGear.Attestation;

/// <summary>
/// Normalised claims about verified evidence: the same names for every format. Hash-like values are lower-case hex.
/// Format-specific values (RTMRs, MRSEAM, TD attributes, CPUSVN, ...) are in <see cref="Fields"/>.
/// </summary>
public sealed class AttestationClaims
{
    /// <summary>The evidence format id (see <see cref="EvidenceFormats"/>).</summary>
    public required string Format { get; init; }

    /// <summary>The TEE kind.</summary>
    public required TeeKind Tee { get; init; }

    /// <summary>True when the evidence comes from the simulation engine (not hardware).</summary>
    public bool Simulated { get; init; }

    /// <summary>The code identity: MRENCLAVE (SGX), MRTD (TDX), launch measurement.</summary>
    public required ReadOnlyMemory<byte> UniqueId { get; init; }

    /// <summary>The signer identity: MRSIGNER (SGX); empty when the TEE has none (TDX).</summary>
    public required ReadOnlyMemory<byte> SignerId { get; init; }

    /// <summary>The product id (SGX ISVPRODID); null when the TEE has none.</summary>
    public int? ProductId { get; init; }

    /// <summary>The security version (SGX ISVSVN); null when the TEE has none.</summary>
    public int? SecurityVersion { get; init; }

    /// <summary>True when the enclave/TD runs in debug mode (its memory is readable by the host).</summary>
    public required bool Debug { get; init; }

    /// <summary>The report data the enclave bound into the evidence (64 bytes for Intel).</summary>
    public required ReadOnlyMemory<byte> ReportData { get; init; }

    /// <summary>The converged TCB status of the platform.</summary>
    public TcbStatus TcbStatus { get; init; }

    /// <summary>Intel security advisories that apply to the platform's TCB level (e.g. INTEL-SA-00615).</summary>
    public IReadOnlyList<string> AdvisoryIds { get; init; } = [];

    /// <summary>The date of the matched TCB level.</summary>
    public DateTimeOffset? TcbDate { get; init; }

    /// <summary>The TCB evaluation data number of the TCB info used.</summary>
    public int? TcbEvaluationDataNumber { get; init; }

    /// <summary>The earliest time at which all the collateral used is valid.</summary>
    public DateTimeOffset? CollateralValidFrom { get; init; }

    /// <summary>The latest time at which all the collateral used is valid.</summary>
    public DateTimeOffset? CollateralValidUntil { get; init; }

    /// <summary>The platform's FMSPC (hex), from the PCK certificate.</summary>
    public string? Fmspc { get; init; }

    /// <summary>The platform's PCE id (hex), from the PCK certificate.</summary>
    public string? PceId { get; init; }

    /// <summary>Format-specific values, by name (e.g. <c>mrseam</c>, <c>rtmr0</c>, <c>td_attributes</c>, <c>qe_tcb_status</c>).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
}
