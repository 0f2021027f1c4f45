using System.Buffers;
using SecGear.Abi;
using SecGear.Host.Switchless;

namespace SecGear.Host.Engines;

/// <summary>
/// What an engine implements besides <see cref="IEnclaveInstance"/> to run switchless calls and shared memory.
/// Internal until an out-of-tree engine needs it (the <see cref="SharedMemory"/> constructor is internal).
/// </summary>
internal interface ISwitchlessInstance
{
    /// <summary>True when the enclave's switchless pool runs (configured by the host, or by default because the EDL asks for it).</summary>
    bool IsSwitchless { get; }

    /// <summary>The enclave's counters; kept also when the pool does not run (switchless functions called with the feature off).</summary>
    SwitchlessCounters SwitchlessCounters { get; }

    /// <summary>The counters with the enclave side's.</summary>
    SwitchlessStatistics SwitchlessStatistics { get; }

    /// <summary>A switchless ECALL when the feature is on (falling back to a regular call as configured), else a regular one.</summary>
    void CallSwitchless(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>The asynchronous form: completes when the enclave answers.</summary>
    ValueTask CallSwitchlessAsync(int contract, IOcallHandler? ocalls, int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response);

    /// <summary>Allocates a buffer mapped in the host and the enclave.</summary>
    SharedMemory AllocateSharedMemory(int size);
}
