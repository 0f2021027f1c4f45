using System.Buffers;

namespace SecGear.Abi;

/// <summary>
/// Host side: runs OCALLs for one contract. Generated from EDL (it deserialises the request, calls the
/// host's implementation of the OCALL interface, and serialises the results).
/// </summary>
public interface IOcallHandler
{
    /// <summary>Runs OCALL <paramref name="functionId"/>. <paramref name="request"/> comes from the enclave; it is
    /// trusted as much as the enclave is, but still bounds-checked.</summary>
    void Dispatch(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);
}
