using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>The host's OCALLs of the switchless test contract; records the thread each OCALL ran on.</summary>
public sealed class SwitchlessOcalls : ISwitchlessTestOcalls
{
    /// <summary>A first request byte that makes <c>sl_host_echo</c> answer with its data repeated <see cref="Times"/> times.</summary>
    public const byte Repeat = 0xBB;

    public const int Times = 10;

    public int LastThread { get; private set; }

    public int Calls;

    public int SlHostEcho(ReadOnlySpan<byte> data, Span<byte> result)
    {
        Count();
        if (data is [0xEE, ..])
        {
            throw new InvalidOperationException("host said no");
        }

        int times = data is [Repeat, ..] ? Times : 1;
        if (data.Length * times > result.Length)
        {
            return -1;
        }

        for (int i = 0; i < times; i++)
        {
            data.CopyTo(result[(i * data.Length)..]);
        }

        return data.Length * times;
    }

    public void SlHostEmpty() => Count();

    private void Count()
    {
        LastThread = Environment.CurrentManagedThreadId;
        Interlocked.Increment(ref Calls);
    }
}
