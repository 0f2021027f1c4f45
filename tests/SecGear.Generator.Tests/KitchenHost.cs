using SecGear.Abi;
using SecGear.Generator.Tests.Generated;

namespace SecGear.Generator.Tests;

/// <summary>The host half of kitchen.edl: OCALL implementations.</summary>
internal sealed class KitchenHost : IKitchenOcalls
{
    public List<string?> Logged { get; } = [];

    public int ReadErrno { get; set; } = 42;

    public bool ThrowFromLog { get; set; }

    public Action? DuringAllow { get; set; }

    public int OcallLog(string? msg)
    {
        if (ThrowFromLog)
        {
            throw new IOException("disk full");
        }

        Logged.Add(msg);
        return msg?.Length ?? -1;
    }

    public void OcallRead(Span<byte> buf)
    {
        buf.Fill(7);
        Errno.Value = ReadErrno;
    }

    public void OcallAllow() => DuringAllow?.Invoke();

    public int OcallSwitchless(int x) => x + 1;
}
