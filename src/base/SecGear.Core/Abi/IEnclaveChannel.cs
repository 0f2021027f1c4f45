using System.Buffers;

namespace SecGear.Abi;

/// <summary>
/// Host side of the seam between generated proxies and the runtime (DESIGN.md section 2): carries one ECALL's
/// serialised arguments into the enclave and its serialised results back. Bytes are opaque to the runtime.
/// Obtained from <see cref="IEnclaveConnection.Bind"/>.
/// </summary>
public interface IEnclaveChannel
{
    /// <summary>The contract this channel was bound with.</summary>
    ContractDescriptor Contract { get; }

    /// <summary>Makes a regular ECALL. OCALLs the enclave makes meanwhile run on the calling thread.</summary>
    /// <param name="functionId">ECALL id.</param>
    /// <param name="request">Serialised <c>[in]</c> arguments.</param>
    /// <param name="response">Receives the serialised return value and <c>[out]</c> arguments.</param>
    /// <exception cref="SecGearException">The call failed; the subtype says why.</exception>
    void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>
    /// Makes a switchless ECALL when the enclave was created with the switchless feature, else a regular one.
    /// </summary>
    void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>Asynchronous switchless ECALL: lets a caller keep many calls in flight.</summary>
    ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default);
}
