using System.Buffers;

namespace SecGear.Abi;

/// <summary>
/// Enclave side of the seam: carries one OCALL out to the host. Generated OCALL proxies call it; the trusted
/// runtime implements it. Response bytes come from the host and are hostile.
/// </summary>
public interface IOcallChannel
{
    /// <summary>Makes a regular OCALL on behalf of the current ECALL.</summary>
    void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>Makes a switchless OCALL when enabled, else a regular one.</summary>
    void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>Asynchronous switchless OCALL.</summary>
    ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default);
}
