using SecGear.Attestation;

namespace SecGear.RaTls;

/// <summary>A refused RA-TLS certificate: which check failed, what was found, and the attestation failure behind it, if any.</summary>
/// <param name="Code">The check that failed.</param>
/// <param name="Message">What was found versus expected. Never contains secrets.</param>
/// <param name="Attestation">The attestation check that failed, for <see cref="RaTlsFailureCode.EvidenceRejected"/> and <see cref="RaTlsFailureCode.PolicyRejected"/>.</param>
public sealed record RaTlsFailure(RaTlsFailureCode Code, string Message, AttestationFailure? Attestation = null)
{
    /// <inheritdoc />
    public override string ToString() => Attestation is null ? $"{Code}: {Message}" : $"{Code}: {Message} ({Attestation})";
}
