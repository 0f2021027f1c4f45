using System.Buffers;
using SecGear.Abi;

namespace SecGear.Trusted.Runtime;

/// <summary>The <see cref="IOcallChannel"/> of one contract: checks the call and hands it to the engine.</summary>
internal sealed class OcallChannel(EnclaveRuntime runtime, int contract, ContractDescriptor descriptor) : IOcallChannel
{
    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if ((uint)functionId >= (uint)descriptor.Ocalls.Count)
        {
            throw new CallNotAllowedException($"Contract '{descriptor.Name}' has no OCALL with id {functionId}.");
        }

        runtime.Ocall(contract, descriptor.Ocalls[functionId], request, response);
    }

    // Switchless OCALLs are not implemented by any engine yet; the seam documents the fallback to a regular call.
    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Call(functionId, request, response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Call(functionId, request.Span, response);
        return ValueTask.CompletedTask;
    }
}
