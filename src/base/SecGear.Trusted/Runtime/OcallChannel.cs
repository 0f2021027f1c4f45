using System.Buffers;
using SecGear.Abi;

namespace SecGear.Trusted.Runtime;

/// <summary>The <see cref="IOcallChannel"/> of one contract: checks the call and hands it to the engine.</summary>
internal sealed class OcallChannel(EnclaveRuntime runtime, int contract, ContractDescriptor descriptor) : IOcallChannel
{
    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Send(functionId, request, response, switchless: false);

    // The engine decides: through its switchless pool when the enclave was created with the feature, else regular.
    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Send(functionId, request, response, switchless: true);

    // An enclave thread must not give up its thread (the runtime's call frames are per thread): the asynchronous
    // form runs the switchless OCALL on the calling thread and returns a completed task.
    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Send(functionId, request.Span, response, switchless: true);
        return ValueTask.CompletedTask;
    }

    private void Send(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response, bool switchless)
    {
        ArgumentNullException.ThrowIfNull(response);
        if ((uint)functionId >= (uint)descriptor.Ocalls.Count)
        {
            throw new CallNotAllowedException($"Contract '{descriptor.Name}' has no OCALL with id {functionId}.");
        }

        runtime.Ocall(contract, descriptor.Ocalls[functionId], request, response, switchless);
    }
}
