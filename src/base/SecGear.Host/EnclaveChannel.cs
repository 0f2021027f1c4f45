using System.Buffers;
using SecGear.Abi;

namespace SecGear.Host;

/// <summary>The <see cref="IEnclaveChannel"/> of one bound contract.</summary>
internal sealed class EnclaveChannel(Enclave enclave, int handle, ContractDescriptor contract, IOcallHandler? ocalls) : IEnclaveChannel
{
    public ContractDescriptor Contract => contract;

    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        enclave.ThrowIfDisposed();
        enclave.Instance.Call(handle, ocalls, functionId, request, response);
    }

    // No engine implements switchless calls yet; the seam specifies a regular call when the feature is off.
    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Call(functionId, request, response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Call(functionId, request.Span, response);
        return ValueTask.CompletedTask;
    }
}
