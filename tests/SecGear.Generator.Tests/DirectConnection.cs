using System.Buffers;
using SecGear.Abi;

namespace SecGear.Generator.Tests;

/// <summary>Calls the dispatcher straight from the proxy with no copies: isolates what generated code itself allocates.</summary>
internal sealed class DirectConnection(IEcallHandler handler) : IEnclaveConnection, IEnclaveChannel
{
    public ContractDescriptor Contract => handler.Contract;

    public IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls) => this;

    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => handler.Dispatch(functionId, request, response);

    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => handler.Dispatch(functionId, request, response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        handler.Dispatch(functionId, request.Span, response);
        return ValueTask.CompletedTask;
    }
}
