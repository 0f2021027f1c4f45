using System.Buffers;
using SecGear.Abi;

namespace SecGear.Host.Engines;

/// <summary>
/// What an engine implements besides <see cref="IEnclaveInstance"/> to run switchless calls and shared memory.
/// Internal until an out-of-tree engine needs it (the <see cref="SharedMemory"/> constructor is internal).
/// </summary>
internal interface ISwitchlessInstance
{
    /// <summary>Counters, or null when the enclave was created without <see cref="SwitchlessOptions"/>.</summary>
    SwitchlessStatistics? SwitchlessStatistics { get; }

    /// <summary>A switchless ECALL when the feature is on (falling back to a regular call as configured), else a regular one.</summary>
    void CallSwitchless(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>The asynchronous form: completes when the enclave answers.</summary>
    ValueTask CallSwitchlessAsync(int contract, IOcallHandler? ocalls, int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response);

    /// <summary>Allocates a buffer mapped in the host and the enclave.</summary>
    SharedMemory AllocateSharedMemory(int size);
}
