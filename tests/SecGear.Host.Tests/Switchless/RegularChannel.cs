using System.Buffers;
using SecGear.Abi;

namespace SecGear.Host.Tests.Switchless;

/// <summary>
/// A channel that makes every ECALL a regular one: under it the generated proxy of a transition_using_threads ECALL
/// makes the regular call the tests compare the switchless one with (EDL gives a function one transition).
/// </summary>
public sealed class RegularChannel(IEnclaveChannel inner) : IEnclaveChannel
{
    public ContractDescriptor Contract => inner.Contract;

    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => inner.Call(functionId, request, response);

    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => inner.Call(functionId, request, response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        inner.Call(functionId, request.Span, response);
        return ValueTask.CompletedTask;
    }

    /// <summary>Hands a generated proxy the already bound channel, made regular; its OCALLs stay with the first binding.</summary>
    public sealed class Connection(IEnclaveChannel bound) : IEnclaveConnection
    {
        public IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls) =>
            ReferenceEquals(contract, bound.Contract)
                ? new RegularChannel(bound)
                : throw new ContractMismatchException($"Contract '{contract.Name}' is not the bound '{bound.Contract.Name}'.");
    }
}
