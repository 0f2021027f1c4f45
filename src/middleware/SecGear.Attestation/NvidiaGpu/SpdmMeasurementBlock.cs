namespace SecGear.Attestation.NvidiaGpu;

/// <summary>One SPDM 1.1 measurement block carrying a DMTF measurement.</summary>
/// <param name="Index">The block index as the device reports it (1-based on NVIDIA GPUs).</param>
/// <param name="ValueType">The DMTF measurement value type (bit 7 set = raw bit stream; GH100 reports 0x01, a digest).</param>
/// <param name="Value">The measurement value (a 48-byte SHA-384 digest on GH100).</param>
public sealed record SpdmMeasurementBlock(int Index, byte ValueType, ReadOnlyMemory<byte> Value);
