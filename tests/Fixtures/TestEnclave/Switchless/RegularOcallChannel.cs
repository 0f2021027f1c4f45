using System.Buffers;
using SecGear.Abi;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>
/// An OCALL channel that makes every call a regular OCALL, switchless or not: under it the generated proxy of a
/// transition_using_threads OCALL makes the regular call the tests compare the switchless one with.
/// </summary>
public sealed class RegularOcallChannel(IOcallChannel inner) : IOcallChannel
{
    public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => inner.Call(functionId, request, response);

    public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => inner.Call(functionId, request, response);

    public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        inner.Call(functionId, request.Span, response);
        return ValueTask.CompletedTask;
    }
}
