namespace SecGear.Attestation;

/// <summary>Produces evidence inside a TEE, binding caller-chosen report data (at most 64 bytes) into it.</summary>
public interface IAttester
{
    /// <summary>The format id of the evidence this attester produces.</summary>
    string Format { get; }

    /// <summary>Produces evidence that binds <paramref name="reportData"/> (at most 64 bytes).</summary>
    Evidence Attest(ReadOnlySpan<byte> reportData);
}
