namespace SecGear.Simulation;

/// <summary>The DER certificates of the simulated CA and of the platform attestation key it issued.</summary>
internal sealed record PlatformCertificates(byte[] CaCertificate, byte[] AttestationKeyCertificate);
