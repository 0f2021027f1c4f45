namespace SecGear.Images;

/// <summary>An enclave image is malformed, tampered with, or its signature does not verify.</summary>
public sealed class EnclaveImageException(string message) : SecGearException(EnclaveStatus.InvalidImage, message);
