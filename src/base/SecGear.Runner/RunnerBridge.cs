using System.Buffers;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SecGear.Abi;
using SecGear.Switchless;
using SecGear.Transport;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Switchless;

namespace SecGear.Runner;

/// <summary>
/// The runner's side of <see cref="IEnclaveHostBridge"/>: OCALLs leave through the slot of the enclave thread that
/// makes them; log messages go in band on that slot when written from an ECALL, else as JSON lines on standard output.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class RunnerBridge(TextWriter output) : IEnclaveHostBridge, ISwitchlessHostBridge
{
    private readonly Lock _outputLock = new();

    /// <summary>The enclave side of the switchless pool, when the enclave was created with the feature.</summary>
    public TrustedSwitchless? Switchless { get; set; }

    public void Ocall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (EnclaveThread.Current is { } thread)
        {
            thread.Ocall(contract, function, request, response);
        }
        else if (Switchless is { IsWorkerThread: true } pool)
        {
            // A trusted worker has no slot: every OCALL of a switchless ECALL goes through the OCALL pool.
            pool.TryOcall(contract, function, request, response, canFallback: false);
        }
        else
        {
            throw new CallNotAllowedException($"OCALL '{function.Name}' was made from a thread that is not an enclave thread.");
        }
    }

    public void OcallSwitchless(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (Switchless is not { } pool || EnclaveThread.Current is null)
        {
            Ocall(contract, function, request, response);
        }
        else if (!pool.TryOcall(contract, function, request, response, canFallback: true))
        {
            long start = SwitchlessPacer.Now;
            EnclaveThread.Current.Ocall(contract, function, request, response);
            pool.ObserveRegular(contract, function.Id, SwitchlessPacer.Now - start);
        }
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
