namespace SecGear.Attestation;

/// <summary>
/// A verifier plug-in for one evidence format. Implementations never throw for bad evidence or collateral: every
/// problem is returned as a failure naming the check.
/// </summary>
public interface IEvidenceVerifier
{
    /// <summary>The evidence format id this verifier handles.</summary>
    string Format { get; }

    /// <summary>Verifies evidence at <paramref name="verificationTime"/> and returns normalised claims or a failure.</summary>
    AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime);
}
