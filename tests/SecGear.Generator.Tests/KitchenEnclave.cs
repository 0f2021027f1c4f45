using System.Runtime.InteropServices;
using System.Text;
using SecGear.Abi;
using SecGear.Generator.Tests.Generated;

namespace SecGear.Generator.Tests;

/// <summary>The enclave half of kitchen.edl: deterministic behaviour the round-trip tests can predict.</summary>
internal sealed class KitchenEnclave(KitchenOcallProxy ocalls) : IKitchenEcalls
{
    public byte[]? LastCopyIn { get; private set; }

    public bool FillOutSawOnlyZeros { get; private set; }

    public double LastDouble { get; private set; }

    public byte[]? LastRectName { get; private set; }

    public object[]? LastScalars { get; private set; }

    public int PrivateCalls { get; private set; }

    public bool GrowStrings { get; set; }

    public int EcallAdd(int a, int b) => a + b;

    public void EcallCopyIn(ReadOnlySpan<byte> buf) => LastCopyIn = buf.ToArray();

    public nuint EcallFillOut(Span<byte> buf)
    {
        FillOutSawOnlyZeros = !buf.ContainsAnyExcept((byte)0);
        for (int i = 0; i < buf.Length; i++)
        {
            buf[i] = (byte)((i * 3) + 1);
        }

        return (nuint)buf.Length;
    }

    public void EcallInOut(Span<int> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (values[i] * 2) + 1;
        }
    }

    public int EcallMutateIn(ReadOnlySpan<byte> buf)
    {
        // Scribble over the [in] buffer: the caller's memory must not change.
        Span<byte> writable = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(buf), buf.Length);
        int sum = 0;
        for (int i = 0; i < writable.Length; i++)
        {
            sum += writable[i];
            writable[i] = 0xEE;
        }

        return sum;
    }

    public void EcallStrings(string? s, string? w, Span<byte> reply)
    {
        byte[] text = Encoding.UTF8.GetBytes((s ?? "<null>") + "|" + (w ?? "<null>"));
        text.AsSpan(0, Math.Min(text.Length, reply.Length)).CopyTo(reply);
    }

    public void EcallStringInOut(ref string? s, ref string? w)
    {
        if (GrowStrings)
        {
            s += "-longer";
            return;
        }

        s = s?.ToUpperInvariant();
        w = w is { Length: > 0 } ? w[..^1] : w;
    }

    public void EcallScalarPointers(out int o, ref int io, in Point p, in double d)
    {
        o = p.X + p.Y;
        io *= 10;
        LastDouble = d;
    }

    public Point EcallStructs(Point a, Value v, Color c, Rect r, Node n)
    {
        LastRectName = ((ReadOnlySpan<byte>)r.Name).ToArray();
        return new Point { X = a.X + (int)c, Y = v.I + r.Corners[1].Y + n.Value };
    }

    public void EcallArrays(ReadOnlySpan<int> arr, Span<int> res)
    {
        for (int i = 0; i < res.Length; i++)
        {
            res[i] = arr[i] * arr[i];
        }
    }

    public ulong EcallUserCheck(nint p) => (ulong)p;

    public void EcallSharedSize(ReadOnlySpan<byte> a, Span<byte> b, nuint len)
    {
        a.CopyTo(b);
        b.Reverse();
    }

    public void EcallSizeAndCount(ReadOnlySpan<byte> items, nuint n, Span<Point> pts)
    {
        for (int i = 0; i < pts.Length; i++)
        {
            pts[i] = new Point { X = i, Y = items.Length };
        }
    }

    public int EcallCallsOcalls(int x)
    {
        int logged = ocalls.OcallLog("x=" + x);
        Span<byte> buf = stackalloc byte[4];
        ocalls.OcallRead(buf);
        int plus = ocalls.OcallSwitchless(x);
        ocalls.OcallAllow();
        return logged + buf[0] + buf[1] + buf[2] + buf[3] + plus;
    }

    public int EcallErrno()
    {
        Errno.Value = 0;
        ocalls.OcallRead([]);
        return Errno.Value;
    }

    public void EcallPrivate() => PrivateCalls++;

    public ulong EcallSwitchless(ReadOnlySpan<byte> data, Span<uint> stats)
    {
        uint sum = 0;
        foreach (byte b in data)
        {
            sum += b;
        }

        stats[0] = (uint)data.Length;
        stats[1] = sum;
        return sum;
    }

    public bool EcallScalars(sbyte c, byte uc, short s, ushort us, uint ui, long l, ulong ul, long ll, ulong ull, float f, double d, nuint z, uint wc, bool b, sbyte i8, short i16, int i32, long i64, byte u8, ushort u16, uint u32, ulong u64)
    {
        LastScalars = [c, uc, s, us, ui, l, ul, ll, ull, f, d, z, wc, b, i8, i16, i32, i64, u8, u16, u32, u64];
        return !b;
    }
}
