using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.AttestationService;

/// <summary>
/// How the devices of a composite attestation are bound to the same challenge as the CPU TEE: every device's 32-byte
/// nonce (an NVIDIA GPU's SPDM requester nonce) is
/// <c>SHA-256("secgear-as device v1" 0x00 | len(nonce) u32be | nonce | len(cpu report data) u32be | cpu report data)</c>,
/// where the CPU report data is the report data of the CPU TEE's evidence in the same request (itself
/// <see cref="ReportDataBinding.Compute"/>(nonce, runtime data)). A device report therefore proves it was produced for
/// this challenge and next to this CPU evidence (and its runtime key); it cannot be replayed into another session.
/// </summary>
public static class DeviceNonceBinding
{
    /// <summary>Length of the device nonce (the SPDM requester nonce size).</summary>
    public const int Length = 32;

    private static ReadOnlySpan<byte> Label => "secgear-as device v1\0"u8;

    /// <summary>The 32-byte nonce each device must sign.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> cpuReportData)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        hash.AppendData(Label);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)nonce.Length);
        hash.AppendData(length);
        hash.AppendData(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)cpuReportData.Length);
        hash.AppendData(length);
        hash.AppendData(cpuReportData);
        return hash.GetHashAndReset();
    }
}
