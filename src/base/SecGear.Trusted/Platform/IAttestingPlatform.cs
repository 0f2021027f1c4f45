using SecGear.Trusted.Attestation;

namespace SecGear.Trusted.Platform;

/// <summary>
/// A platform that can prove the enclave's identity: to a remote verifier (evidence) and to another enclave on the
/// same platform (local reports). Implemented by <see cref="SimulatedPlatform"/>; enclave code reaches it as
/// <c>context.Platform as IAttestingPlatform</c>.
/// </summary>
public interface IAttestingPlatform : ITrustedPlatform
{
    /// <summary>The format id of the evidence <see cref="GetEvidence"/> produces.</summary>
    string EvidenceFormat { get; }

    /// <summary>Produces evidence of this enclave's identity binding <paramref name="reportData"/> (at most 64 bytes, zero-padded).</summary>
    /// <exception cref="ArgumentException"><paramref name="reportData"/> is longer than 64 bytes.</exception>
    byte[] GetEvidence(ReadOnlySpan<byte> reportData);

    /// <summary>
    /// Creates a local report for the enclave whose measurement is <paramref name="targetMeasurement"/>, binding
    /// <paramref name="reportData"/> (at most 64 bytes, zero-padded). Only that enclave, on this platform, can verify it.
    /// </summary>
    /// <exception cref="ArgumentException">The target measurement is not 32 bytes or the report data is longer than 64 bytes.</exception>
    byte[] CreateReport(ReadOnlySpan<byte> targetMeasurement, ReadOnlySpan<byte> reportData);

    /// <summary>Verifies a local report addressed to this enclave and returns the identity of the enclave that made it.</summary>
    /// <exception cref="LocalReportException">The report is malformed, addressed to another enclave, made on another platform, or altered.</exception>
    LocalReport VerifyReport(ReadOnlySpan<byte> report);
}
