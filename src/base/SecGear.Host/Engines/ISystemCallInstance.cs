using System.Buffers;
using SecGear.Abi;

namespace SecGear.Host.Engines;

/// <summary>
/// What an engine implements besides <see cref="IEnclaveInstance"/> to carry the trusted runtime's system calls
/// (<see cref="EnclaveSystemCall"/>), which every enclave serves without any contract binding. An engine without it
/// makes <see cref="Enclave.GetEvidence"/> fail with <see cref="EnclaveNotSupportedException"/>.
/// </summary>
public interface ISystemCallInstance
{
    /// <summary>
    /// Runs system call <paramref name="call"/> in the enclave's trusted runtime and appends its response to
    /// <paramref name="response"/>. Failures arrive as the same typed exceptions as ECALL failures.
    /// </summary>
    void SystemCall(EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response);
}
