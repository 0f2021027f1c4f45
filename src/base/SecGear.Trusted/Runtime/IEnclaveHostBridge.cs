using System.Buffers;
using Microsoft.Extensions.Logging;
using SecGear.Abi;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// What the trusted runtime needs from the engine that hosts it: a way to carry an OCALL out to the host and a way
/// to deliver the enclave's log messages. The simulation runner implements it over shared memory; the in-process
/// engine implements it with direct calls (copying bytes both ways).
/// </summary>
public interface IEnclaveHostBridge
{
    /// <summary>
    /// Carries OCALL <paramref name="function"/> of contract <paramref name="contract"/> to the host, on behalf of the
    /// ECALL running on the current thread, and copies the host's response into <paramref name="response"/>.
    /// </summary>
    /// <exception cref="OcallFailedException">The host's OCALL implementation threw.</exception>
    /// <exception cref="MarshalException">The host rejected the request bytes, or its response is malformed.</exception>
    /// <exception cref="PayloadTooLargeException">The request or the response exceeds the payload limit.</exception>
    void Ocall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <summary>Delivers one log message to the host's logger factory. Must not throw.</summary>
    void Log(LogLevel level, string category, string message);
}
