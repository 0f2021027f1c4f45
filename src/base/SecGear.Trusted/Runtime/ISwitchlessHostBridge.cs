using System.Buffers;
using SecGear.Abi;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// Implemented by an <see cref="IEnclaveHostBridge"/> whose engine runs switchless OCALLs (a task pool polled by
/// untrusted workers). The runtime routes <see cref="IOcallChannel.CallSwitchless"/> here after its own checks.
/// </summary>
public interface ISwitchlessHostBridge
{
    /// <summary>
    /// Carries OCALL <paramref name="function"/> through the switchless pool when it can, else as a regular OCALL
    /// (request larger than a task, pool full with rollback on, or no worker took it in time).
    /// </summary>
    /// <exception cref="SwitchlessPoolFullException">The pool is full and rollback to a regular call is off.</exception>
    void OcallSwitchless(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response);
}
