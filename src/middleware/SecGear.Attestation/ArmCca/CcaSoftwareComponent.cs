namespace SecGear.Attestation.ArmCca;

/// <summary>One entry of the platform token's software components claim (2399).</summary>
/// <param name="Type">Component type (key 1), e.g. <c>BL</c>; null when absent.</param>
/// <param name="Measurement">Measurement value (key 2).</param>
/// <param name="Version">Version (key 4); null when absent.</param>
/// <param name="SignerId">Signer id (key 5).</param>
/// <param name="HashAlgorithm">Hash algorithm of the measurement (key 6); null when absent.</param>
public sealed record CcaSoftwareComponent(string? Type, byte[] Measurement, string? Version, byte[] SignerId, string? HashAlgorithm);
