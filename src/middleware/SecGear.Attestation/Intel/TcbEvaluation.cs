namespace SecGear.Attestation.Intel;

/// <summary>The result of Intel's TCB-level algorithm for one quote.</summary>
internal sealed record TcbEvaluation(
    TcbStatus Status,
    IReadOnlyList<string> AdvisoryIds,
    DateTimeOffset? TcbDate,
    TcbStatus? SgxStatus,
    TcbStatus? ModuleStatus,
    IReadOnlyList<string> ModuleAdvisoryIds,
    AttestationFailure? Failure);
