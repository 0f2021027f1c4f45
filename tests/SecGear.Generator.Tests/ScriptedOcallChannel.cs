using System.Buffers;
using SecGear.Abi;

namespace SecGear.Generator.Tests;

/// <summary>A hostile "host": answers every OCALL with bytes the test chose.</summary>
internal sealed class ScriptedOcallChannel(byte[] response) : IOcallChannel
{
    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response1) => response1.Write(response);

    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response1) => response1.Write(response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response1, CancellationToken cancellationToken = default)
    {
        response1.Write(response);
        return ValueTask.CompletedTask;
    }
}
