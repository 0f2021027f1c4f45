using System.Buffers;
using SecGear.Abi;

namespace SecGear.Generator.Tests;

/// <summary>A hostile "enclave": answers every ECALL with bytes the test chose.</summary>
internal sealed class ScriptedConnection(byte[] response) : IEnclaveConnection, IEnclaveChannel
{
    public ContractDescriptor Contract { get; private set; } = null!;

    public IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls)
    {
        Contract = contract;
        return this;
    }

    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response1) => response1.Write(response);

    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response1) => response1.Write(response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response1, CancellationToken cancellationToken = default)
    {
        response1.Write(response);
        return ValueTask.CompletedTask;
    }
}
