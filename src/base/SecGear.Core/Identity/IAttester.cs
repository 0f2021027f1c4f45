namespace SecGear.Identity;

/// <summary>
/// Produces evidence inside a TEE, binding caller-chosen report data (at most
/// <see cref="EvidenceLimits.MaxReportDataLength"/> bytes) into it. Implemented on the trusted side
/// (<c>SecGear.Trusted.Attestation.PlatformAttester</c>); a verifier wraps the bytes with their <see cref="Format"/>.
/// </summary>
public interface IAttester
{
    /// <summary>The format id of the evidence this attester produces.</summary>
    string Format { get; }

    /// <summary>Produces evidence, in format <see cref="Format"/>, that binds <paramref name="reportData"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="reportData"/> is longer than <see cref="EvidenceLimits.MaxReportDataLength"/> bytes.</exception>
    byte[] Attest(ReadOnlySpan<byte> reportData);
}
