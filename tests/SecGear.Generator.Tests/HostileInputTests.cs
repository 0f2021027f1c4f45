using System.Buffers;
using SecGear.Abi;
using SecGear.Generator.Tests.Generated;

namespace SecGear.Generator.Tests;

/// <summary>Bytes from the other side are hostile: every malformed request or response is a MarshalException, nothing else.</summary>
public class HostileInputTests
{
    private readonly LoopbackConnection _loopback = new();
    private readonly KitchenHost _host = new();
    private readonly IEcallHandler _dispatcher;
    private readonly KitchenProxy _proxy;

    public HostileInputTests()
    {
        _dispatcher = _loopback.Load(new KitchenEcallFactory(), channel => new KitchenEnclave(new KitchenOcallProxy(channel)));
        _proxy = new KitchenProxy(_loopback, _host);
    }

    [Fact]
    public void Every_truncation_of_every_valid_request_is_a_MarshalException()
    {
        Dictionary<int, byte[]> valid = CaptureValidRequests();
        int checkedPrefixes = 0;

        foreach ((int id, byte[] request) in valid)
        {
            for (int length = 0; length < request.Length; length++)
            {
                byte[] truncated = request[..length];
                Assert.Throws<MarshalException>(() => Dispatch(id, truncated));
                checkedPrefixes++;
            }
        }

        Assert.True(checkedPrefixes > 300, $"only {checkedPrefixes} prefixes checked");
    }

    [Fact]
    public void A_trailing_byte_after_any_valid_request_is_a_MarshalException()
    {
        foreach ((int id, byte[] request) in CaptureValidRequests())
        {
            byte[] longer = [.. request, 0];
            Assert.Throws<MarshalException>(() => Dispatch(id, longer));
        }
    }

    [Fact]
    public void Random_mutations_of_valid_requests_fail_only_with_MarshalException()
    {
        Dictionary<int, byte[]> valid = CaptureValidRequests();
        valid.Remove(KitchenContract.EcallIds.EcallStringInOut);
        int[] ids = [.. valid.Keys];
        var random = new Random(20261127);
        int rejected = 0;

        for (int i = 0; i < 4000; i++)
        {
            int id = ids[random.Next(ids.Length)];
            byte[] request = Mutate(valid[id], random);
            try
            {
                Dispatch(id, request);
            }
            catch (MarshalException)
            {
                rejected++;
            }
        }

        Assert.True(rejected > 1000, $"only {rejected} of 4000 mutations were rejected");
    }

    [Fact]
    public void Size_that_disagrees_with_the_carried_bytes_is_rejected()
    {
        var w = new WireBuffer();
        w.WriteBytes([1, 2, 3, 4]);
        w.WriteUInt64(5);

        MarshalException e = Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallCopyIn, w.WrittenSpan.ToArray()));
        Assert.Contains("'buf'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_buffer_larger_than_MaxBufferBytes_is_rejected_before_anything_is_allocated()
    {
        var w = new WireBuffer();
        w.WriteUInt32(1u << 30);
        w.WriteUInt64(1UL << 30);
        long before = GC.GetAllocatedBytesForCurrentThread();

        MarshalException e = Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallFillOut, w.WrittenSpan.ToArray()));

        Assert.Contains("MaxBufferBytes", e.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void Negative_signed_count_is_rejected()
    {
        Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallSizeAndCount, SizeAndCount(n: 0, k: -1)));
    }

    [Fact]
    public void Size_times_count_overflow_is_rejected()
    {
        Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallSizeAndCount, SizeAndCount(n: ulong.MaxValue / 2, k: 0)));
    }

    [Fact]
    public void Typed_buffer_whose_length_is_not_a_multiple_of_the_element_size_is_rejected()
    {
        var w = new WireBuffer();
        w.WriteBytes([1, 2, 3, 4, 5, 6]);
        w.WriteUInt64(1);

        Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallInOut, w.WrittenSpan.ToArray()));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { (byte)'a', 0, (byte)'b' })]
    public void Invalid_utf8_or_embedded_nul_in_a_string_is_rejected(byte[] text)
    {
        var w = new WireBuffer();
        w.WriteBytes(text);
        w.WriteUtf16String("w");
        w.WriteUInt32(4);
        w.WriteUInt64(4);

        Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallStrings, w.WrittenSpan.ToArray()));
    }

    [Fact]
    public void Boolean_other_than_zero_or_one_is_rejected()
    {
        byte[] request = CaptureValidRequests()[KitchenContract.EcallIds.EcallScalars];
        int boolOffset = 1 + 1 + 2 + 2 + 4 + 8 + 8 + 8 + 8 + 4 + 8 + 8 + 4;
        request[boolOffset] = 2;

        Assert.Throws<MarshalException>(() => Dispatch(KitchenContract.EcallIds.EcallScalars, request));
    }

    [Fact]
    public void Unknown_function_id_is_refused()
    {
        Assert.Throws<CallNotAllowedException>(() => Dispatch(99, []));
        Assert.Throws<CallNotAllowedException>(() => Dispatch(-1, []));
    }

    [Fact]
    public void Host_rejects_an_out_buffer_response_longer_than_the_callers_span()
    {
        var w = new WireBuffer();
        w.WriteUInt64(4);
        w.WriteBytes(new byte[100]);
        var proxy = new KitchenProxy(new ScriptedConnection(w.WrittenSpan.ToArray()), null);
        byte[] buf = new byte[4];

        Assert.Throws<MarshalException>(() => proxy.EcallFillOut(buf));
        Assert.Equal(new byte[4], buf);
    }

    [Fact]
    public void Host_rejects_an_out_buffer_response_shorter_than_asked()
    {
        var w = new WireBuffer();
        w.WriteUInt64(4);
        w.WriteBytes([1, 2]);
        var proxy = new KitchenProxy(new ScriptedConnection(w.WrittenSpan.ToArray()), null);

        Assert.Throws<MarshalException>(() => proxy.EcallFillOut(new byte[4]));
    }

    [Fact]
    public void Host_rejects_truncated_and_trailing_responses()
    {
        var truncated = new KitchenProxy(new ScriptedConnection([1, 2, 3]), null);
        var trailing = new KitchenProxy(new ScriptedConnection([1, 0, 0, 0, 9]), null);

        Assert.Throws<MarshalException>(() => truncated.EcallAdd(1, 2));
        Assert.Throws<MarshalException>(() => trailing.EcallAdd(1, 2));
    }

    [Fact]
    public void Host_rejects_an_in_out_string_that_came_back_longer()
    {
        var w = new WireBuffer();
        w.WriteUtf8String("much longer");
        w.WriteUtf16String("w");
        var proxy = new KitchenProxy(new ScriptedConnection(w.WrittenSpan.ToArray()), null);
        string? s = "abc";
        string? wide = "w";

        Assert.Throws<MarshalException>(() => proxy.EcallStringInOut(ref s, ref wide));
        Assert.Equal("abc", s);
    }

    [Fact]
    public void Host_rejects_an_in_out_string_that_came_back_null()
    {
        var w = new WireBuffer();
        w.WriteUtf8String(null);
        w.WriteUtf16String("w");
        var proxy = new KitchenProxy(new ScriptedConnection(w.WrittenSpan.ToArray()), null);
        string? s = "abc";
        string? wide = "w";

        Assert.Throws<MarshalException>(() => proxy.EcallStringInOut(ref s, ref wide));
    }

    [Fact]
    public void Host_ocall_handler_rejects_hostile_requests_from_the_enclave()
    {
        var handler = new KitchenOcallHandler(_host);
        var huge = new WireBuffer();
        huge.WriteUInt32(uint.MaxValue - 1);
        huge.WriteUInt64(uint.MaxValue - 1);
        var badString = new WireBuffer();
        badString.WriteUInt32(1000);

        Assert.Throws<MarshalException>(() => handler.Dispatch(KitchenContract.OcallIds.OcallRead, huge.WrittenSpan, new ArrayBufferWriter<byte>()));
        Assert.Throws<MarshalException>(() => handler.Dispatch(KitchenContract.OcallIds.OcallLog, badString.WrittenSpan, new ArrayBufferWriter<byte>()));
        Assert.Throws<CallNotAllowedException>(() => handler.Dispatch(4, [], new ArrayBufferWriter<byte>()));
        Assert.Empty(_host.Logged);
    }

    [Fact]
    public void Enclave_ocall_proxy_rejects_a_host_reply_larger_than_its_buffer_and_keeps_errno()
    {
        var w = new WireBuffer();
        w.WriteInt32(99);
        w.WriteBytes(new byte[64]);
        var proxy = new KitchenOcallProxy(new ScriptedOcallChannel(w.WrittenSpan.ToArray()));
        byte[] buf = new byte[8];
        Errno.Value = 5;

        Assert.Throws<MarshalException>(() => proxy.OcallRead(buf));

        Assert.Equal(5, Errno.Value);
        Assert.Equal(new byte[8], buf);
    }

    [Fact]
    public void Enclave_ocall_proxy_sets_errno_only_from_a_well_formed_reply()
    {
        var w = new WireBuffer();
        w.WriteInt32(13);
        w.WriteBytes([1, 2]);
        var proxy = new KitchenOcallProxy(new ScriptedOcallChannel(w.WrittenSpan.ToArray()));
        byte[] buf = new byte[2];
        Errno.Value = 0;

        proxy.OcallRead(buf);

        Assert.Equal(13, Errno.Value);
        Assert.Equal([1, 2], buf);
    }

    private void Dispatch(int id, byte[] request) => _dispatcher.Dispatch(id, request, new ArrayBufferWriter<byte>());

    private static byte[] SizeAndCount(ulong n, int k)
    {
        var w = new WireBuffer();
        w.WriteBytes([]);
        w.WriteUInt64(n);
        w.WriteUInt32(0);
        w.WriteInt32(k);
        return w.WrittenSpan.ToArray();
    }

    private static byte[] Mutate(byte[] request, Random random)
    {
        var bytes = new List<byte>(request);
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            int op = random.Next(4);
            if (bytes.Count == 0 || op == 0)
            {
                bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
            }
            else if (op == 1)
            {
                bytes.RemoveAt(random.Next(bytes.Count));
            }
            else if (op == 2)
            {
                bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
            }
            else
            {
                bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
            }
        }

        return [.. bytes];
    }

    /// <summary>Runs one valid call of every public ECALL through the generated proxy and keeps the request bytes.</summary>
    private Dictionary<int, byte[]> CaptureValidRequests()
    {
        string? s = "mixed";
        string? w = "wide";
        int io = 1;
        var p = new Point { X = 1, Y = 2 };
        _proxy.EcallAdd(1, 2);
        _proxy.EcallCopyIn([1, 2, 3]);
        _proxy.EcallFillOut(new byte[5]);
        _proxy.EcallInOut([1, 2, 3]);
        _proxy.EcallMutateIn([4, 5]);
        _proxy.EcallStrings("héllo", "wörld", new byte[16]);
        _proxy.EcallStringInOut(ref s, ref w);
        _proxy.EcallScalarPointers(out _, ref io, in p, 1.5);
        _proxy.EcallStructs(p, new Value { I = 3 }, Color.GREEN, new Rect(), new Node { Value = 1 });
        _proxy.EcallArrays([1, 2, 3, 4], new int[4]);
        _proxy.EcallUserCheck(42);
        _proxy.EcallSharedSize([1, 2], new byte[2], 2);
        _proxy.EcallSizeAndCount(new byte[8], 2, new Point[2]);
        _proxy.EcallCallsOcalls(1);
        _proxy.EcallSwitchless([1, 2, 3], new uint[2]);
        _proxy.EcallScalars(-1, 2, -3, 4, 5, -6, 7, -8, 9, 1.5f, 2.5, 10, 11, true, -12, -13, -14, -15, 16, 17, 18, 19);
        Assert.Equal(KitchenContract.Descriptor.Ecalls.Count(e => e.IsPublic) - 1, _loopback.EcallRequests.Count);
        return new Dictionary<int, byte[]>(_loopback.EcallRequests);
    }
}
