using System.Buffers;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SecGear.Abi;
using SecGear.Simulation;
using SecGear.Trusted.Runtime;

namespace SecGear.Runner;

/// <summary>
/// The runner's side of <see cref="IEnclaveHostBridge"/>: OCALLs leave through the slot of the enclave thread that
/// makes them; log messages go in band on that slot when written from an ECALL, else as JSON lines on standard output.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RunnerBridge(TextWriter output) : IEnclaveHostBridge
{
    private readonly Lock _outputLock = new();

    public void Ocall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        EnclaveThread thread = EnclaveThread.Current
            ?? throw new CallNotAllowedException($"OCALL '{function.Name}' was made from a thread that is not an enclave thread.");
        thread.Ocall(contract, function, request, response);
    }

    public void Log(LogLevel level, string category, string message)
    {
        if (EnclaveThread.Current is { } thread && thread.TryLog((int)level, category, message))
        {
            return;
        }

        string line = JsonSerializer.Serialize(new LogRecord((int)level, category, message), ProtocolJson.Default.LogRecord);
        lock (_outputLock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
