namespace SecGear.Attestation.NvidiaGpu;

/// <summary>One golden measurement of a RIM.</summary>
/// <param name="Index">The 0-based RIM index; it corresponds to SPDM block <c>Index + 1</c>.</param>
/// <param name="Active">Whether the device's value at this index is compared.</param>
/// <param name="Size">The declared size of the measurement, in bytes.</param>
/// <param name="Alternatives">The accepted values; the device must report one of them.</param>
public sealed record RimMeasurement(int Index, bool Active, int Size, IReadOnlyList<ReadOnlyMemory<byte>> Alternatives);
