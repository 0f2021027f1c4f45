using System.Buffers;
using SecGear.Abi;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>The host's OCALL handler of the switchless test contract; records the thread each OCALL ran on.</summary>
public sealed class SwitchlessOcalls : IOcallHandler
{
    /// <summary>A first request byte that makes <c>host_echo</c> answer with its data repeated <see cref="Times"/> times.</summary>
    public const byte Repeat = 0xBB;

    public const int Times = 10;

    public int LastThread { get; private set; }

    public int Calls;

    public void Dispatch(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        LastThread = Environment.CurrentManagedThreadId;
        Interlocked.Increment(ref Calls);
        if (functionId == SwitchlessContract.HostEmpty)
        {
            return;
        }

        if (functionId != SwitchlessContract.HostEcho)
        {
            throw new CallNotAllowedException($"Unknown OCALL {functionId}.");
        }

        var reader = new WireReader(request);
        ReadOnlySpan<byte> data = reader.ReadBytes();
        reader.EnsureEnd();
        if (data is [0xEE, ..])
        {
            throw new InvalidOperationException("host said no");
        }

        var writer = new WireBuffer(data.Length + 4);
        writer.WriteBytes(data is [Repeat, ..] ? [.. Enumerable.Repeat(data.ToArray(), Times).SelectMany(d => d)] : data);
        response.Write(writer.WrittenSpan);
    }
}
