using System.Buffers;

namespace SecGear.Abi;

/// <summary>
/// Enclave side: the ECALL table of one contract (generated). The trusted runtime calls
/// <see cref="Dispatch"/> on a trusted thread after it has copied the request out of untrusted memory.
/// </summary>
public interface IEcallHandler
{
    /// <summary>The enclave's view of the contract.</summary>
    ContractDescriptor Contract { get; }

    /// <summary>Runs ECALL <paramref name="functionId"/>. Every byte of <paramref name="request"/> is hostile.</summary>
    /// <exception cref="MarshalException">The request bytes are malformed.</exception>
    void Dispatch(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);
}
