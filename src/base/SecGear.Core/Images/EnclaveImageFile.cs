namespace SecGear.Images;

/// <summary>One file carried by an enclave image (a relative path with '/' separators, and its bytes).</summary>
public sealed record EnclaveImageFile(string Path, ReadOnlyMemory<byte> Content);
