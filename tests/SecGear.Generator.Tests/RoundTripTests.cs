using System.Buffers;
using System.Text;
using SecGear.Abi;
using SecGear.Generator.Tests.Generated;

namespace SecGear.Generator.Tests;

/// <summary>Generated host proxy → loopback → generated enclave dispatcher, for every parameter kind in kitchen.edl.</summary>
public class RoundTripTests
{
    private readonly LoopbackConnection _loopback = new();
    private readonly KitchenHost _host = new();
    private readonly KitchenEnclave _enclave;
    private readonly KitchenProxy _proxy;

    private readonly IOcallChannel _ocallChannel;

    public RoundTripTests()
    {
        KitchenEnclave? enclave = null;
        IOcallChannel? ocallChannel = null;
        _loopback.Load(new KitchenEcallFactory(), channel =>
        {
            ocallChannel = channel;
            return enclave = new KitchenEnclave(new KitchenOcallProxy(channel));
        });
        _enclave = enclave!;
        _ocallChannel = ocallChannel!;
        _proxy = new KitchenProxy(_loopback, _host);
    }

    [Fact]
    public async Task Switchless_ocall_async_variant_reaches_the_host()
    {
        var ocalls = new KitchenOcallProxy(_ocallChannel);

        int result = await ocalls.OcallSwitchlessAsync(41);

        Assert.Equal(42, result);
        Assert.Equal(1, _loopback.SwitchlessOcalls);
    }

    [Fact]
    public void Scalars_by_value_and_return_value_round_trip()
    {
        Assert.Equal(-7, _proxy.EcallAdd(5, -12));
        Assert.Equal(int.MinValue, _proxy.EcallAdd(int.MaxValue, 1));
    }

    [Fact]
    public void Every_scalar_type_round_trips_with_extreme_values()
    {
        bool result = _proxy.EcallScalars(sbyte.MinValue, byte.MaxValue, short.MinValue, ushort.MaxValue, uint.MaxValue, long.MinValue,
            ulong.MaxValue, long.MaxValue, 1UL << 63, float.Epsilon, double.NaN, nuint.MaxValue, 0x1F600, true, -1, -2, -3, -4, 5, 6, 7, 8);

        Assert.False(result);
        Assert.Equal(
            new object[] { sbyte.MinValue, byte.MaxValue, short.MinValue, ushort.MaxValue, uint.MaxValue, long.MinValue, ulong.MaxValue, long.MaxValue, 1UL << 63, float.Epsilon, double.NaN, nuint.MaxValue, 0x1F600u, true, (sbyte)-1, (short)-2, -3, -4L, (byte)5, (ushort)6, 7u, 8UL },
            _enclave.LastScalars);
    }

    [Fact]
    public void In_buffer_arrives_with_its_folded_size()
    {
        byte[] data = [1, 2, 3, 250];

        _proxy.EcallCopyIn(data);

        Assert.Equal(data, _enclave.LastCopyIn!);
        Assert.Equal(4UL, BitConverter.ToUInt64(_loopback.EcallRequests[KitchenContract.EcallIds.EcallCopyIn], 8));
    }

    [Fact]
    public void Empty_in_buffer_arrives_empty()
    {
        _proxy.EcallCopyIn([]);

        Assert.Empty(_enclave.LastCopyIn!);
    }

    [Fact]
    public void In_modifications_by_the_enclave_are_not_visible_to_the_caller()
    {
        byte[] data = [10, 20, 30];

        int sum = _proxy.EcallMutateIn(data);

        Assert.Equal(60, sum);
        Assert.Equal([10, 20, 30], data);
    }

    [Fact]
    public void Out_buffer_comes_back_and_the_enclave_saw_zeros_not_the_callers_bytes()
    {
        byte[] buf = [9, 9, 9, 9, 9];

        nuint n = _proxy.EcallFillOut(buf);

        Assert.Equal(5u, n);
        Assert.Equal([1, 4, 7, 10, 13], buf);
        Assert.True(_enclave.FillOutSawOnlyZeros);
    }

    [Fact]
    public void In_out_typed_buffer_round_trips()
    {
        int[] values = [0, 1, -5, int.MaxValue / 2];

        _proxy.EcallInOut(values);

        Assert.Equal([1, 3, -9, (int.MaxValue / 2 * 2) + 1], values);
    }

    [Fact]
    public void Strings_and_wstrings_including_non_ascii_and_null_arrive()
    {
        byte[] reply = new byte[64];

        _proxy.EcallStrings("héllo", "wörld 😀", reply);
        string first = Encoding.UTF8.GetString(reply).TrimEnd('\0');
        Array.Clear(reply);
        _proxy.EcallStrings(null, null, reply);
        string second = Encoding.UTF8.GetString(reply).TrimEnd('\0');

        Assert.Equal("héllo|wörld 😀", first);
        Assert.Equal("<null>|<null>", second);
    }

    [Fact]
    public void Out_buffer_larger_than_the_reply_keeps_the_remaining_bytes_zero()
    {
        byte[] reply = new byte[4];

        _proxy.EcallStrings("abcdef", "x", reply);

        Assert.Equal("abcd"u8.ToArray(), reply);
    }

    [Fact]
    public void In_out_strings_come_back_changed_and_may_shrink()
    {
        string? s = "mixed Case";
        string? w = "wide!";

        _proxy.EcallStringInOut(ref s, ref w);

        Assert.Equal("MIXED CASE", s);
        Assert.Equal("wide", w);
    }

    [Fact]
    public void In_out_null_strings_stay_null()
    {
        string? s = null;
        string? w = null;

        _proxy.EcallStringInOut(ref s, ref w);

        Assert.Null(s);
        Assert.Null(w);
    }

    [Fact]
    public void In_out_string_that_the_enclave_grows_fails_the_call_and_leaves_the_caller_string_alone()
    {
        _enclave.GrowStrings = true;
        string? s = "abc";
        string? w = "w";

        EcallFailedException e = Assert.Throws<EcallFailedException>(() => _proxy.EcallStringInOut(ref s, ref w));

        Assert.Equal(typeof(InvalidOperationException).FullName, e.RemoteType);
        Assert.Equal("abc", s);
    }

    [Fact]
    public void Scalar_pointers_map_to_out_ref_and_in()
    {
        int io = 3;
        var p = new Point { X = 4, Y = 5 };

        _proxy.EcallScalarPointers(out int o, ref io, in p, 2.5);

        Assert.Equal(9, o);
        Assert.Equal(30, io);
        Assert.Equal(2.5, _enclave.LastDouble);
    }

    [Fact]
    public void Structs_unions_enums_and_inline_arrays_round_trip()
    {
        var rect = new Rect();
        rect.Corners[1] = new Point { X = 0, Y = 100 };
        "box"u8.CopyTo(rect.Name);
        var value = new Value { F = 1.0f };

        Point result = _proxy.EcallStructs(new Point { X = 1, Y = 2 }, value, Color.BLUE, rect, new Node { Value = 1000, Next = 0x1234 });

        Assert.Equal(1 + 5, result.X);
        Assert.Equal(BitConverter.SingleToInt32Bits(1.0f) + 100 + 1000, result.Y);
        Assert.Equal("box"u8.ToArray().Concat(new byte[13]), _enclave.LastRectName!);
        Assert.Equal(16, KitchenContract.MAX_ITEMS);
    }

    [Fact]
    public void Fixed_array_parameters_round_trip()
    {
        int[] res = new int[4];

        _proxy.EcallArrays([1, 2, 3, 4], res);

        Assert.Equal([1, 4, 9, 16], res);
    }

    [Fact]
    public void Fixed_array_shorter_than_declared_is_rejected_before_the_call()
    {
        int[] res = new int[4];

        Assert.Throws<ArgumentException>(() => _proxy.EcallArrays([1, 2, 3], res));
        Assert.Throws<ArgumentException>(() => _proxy.EcallArrays([1, 2, 3, 4], new int[3]));
        Assert.Empty(_loopback.EcallRequests);
    }

    [Fact]
    public void User_check_passes_the_raw_address()
    {
        Assert.Equal(0xDEAD_BEEFUL, _proxy.EcallUserCheck(unchecked((nint)0xDEAD_BEEF)));
    }

    [Fact]
    public void Shared_size_parameter_is_kept_and_validated_against_both_spans()
    {
        byte[] b = new byte[3];

        _proxy.EcallSharedSize([1, 2, 3, 4], b, 3);

        Assert.Equal([3, 2, 1], b);
        Assert.Throws<ArgumentException>(() => _proxy.EcallSharedSize([1, 2], new byte[8], 3));
        Assert.Throws<ArgumentException>(() => _proxy.EcallSharedSize([1, 2, 3], new byte[2], 3));
    }

    [Fact]
    public void Size_times_count_and_typed_out_count_round_trip()
    {
        var pts = new Point[3];

        _proxy.EcallSizeAndCount(new byte[8], 2, pts);

        Assert.Equal([new Point { X = 0, Y = 8 }, new Point { X = 1, Y = 8 }, new Point { X = 2, Y = 8 }], pts);
    }

    [Fact]
    public void Ocalls_from_inside_an_ecall_reach_the_host_and_private_ecalls_run_only_when_allowed()
    {
        _host.DuringAllow = () => _proxy.EcallPrivate();

        int result = _proxy.EcallCallsOcalls(41);

        Assert.Equal(["x=41"], _host.Logged);
        Assert.Equal(4 + (4 * 7) + 42, result);
        Assert.Equal(1, _enclave.PrivateCalls);
        Assert.Equal(1, _loopback.SwitchlessOcalls);
        Assert.Throws<CallNotAllowedException>(_proxy.EcallPrivate);
        Assert.Equal(1, _enclave.PrivateCalls);
    }

    [Fact]
    public void Host_ocall_exception_reaches_the_enclave_as_OcallFailedException()
    {
        _host.ThrowFromLog = true;

        EcallFailedException e = Assert.Throws<EcallFailedException>(() => _proxy.EcallCallsOcalls(1));

        Assert.Equal(typeof(OcallFailedException).FullName, e.RemoteType);
    }

    [Fact]
    public void Propagate_errno_carries_the_hosts_errno_into_the_enclave()
    {
        _host.ReadErrno = 28;

        Assert.Equal(28, _proxy.EcallErrno());
    }

    [Fact]
    public void Switchless_ecall_uses_the_switchless_path_sync_and_async()
    {
        uint[] stats = new uint[2];
        byte[] data = [1, 2, 3];

        ulong sync = _proxy.EcallSwitchless(data, stats);
        int afterSync = _loopback.SwitchlessEcalls;
        _proxy.EcallAdd(1, 1);

        Assert.Equal(6UL, sync);
        Assert.Equal([3u, 6u], stats);
        Assert.Equal(1, afterSync);
        Assert.Equal(1, _loopback.SwitchlessEcalls);
    }

    [Fact]
    public async Task Switchless_async_variant_fills_memory_and_returns_the_value()
    {
        uint[] stats = new uint[2];

        ulong sum = await _proxy.EcallSwitchlessAsync(new byte[] { 5, 6 }, stats);

        Assert.Equal(11UL, sum);
        Assert.Equal([2u, 11u], stats);
        Assert.Equal(1, _loopback.SwitchlessEcalls);
    }

    [Fact]
    public void Typed_out_count_literal_needs_a_span_that_long()
    {
        Assert.Throws<ArgumentException>(() => _proxy.EcallSwitchless([1], new uint[1]));
    }

    [Fact]
    public void Descriptor_carries_ids_public_flags_switchless_errno_and_allow_ids()
    {
        ContractDescriptor d = KitchenContract.Descriptor;

        Assert.Equal("kitchen", d.Name);
        Assert.Equal(KitchenContract.HashHex, d.HashHex);
        Assert.False(d.Ecalls[KitchenContract.EcallIds.EcallPrivate].IsPublic);
        Assert.True(d.Ecalls[KitchenContract.EcallIds.EcallAdd].IsPublic);
        Assert.True(d.Ecalls[KitchenContract.EcallIds.EcallSwitchless].Switchless);
        Assert.True(d.Ocalls[KitchenContract.OcallIds.OcallRead].PropagateErrno);
        Assert.True(d.Ocalls[KitchenContract.OcallIds.OcallSwitchless].Switchless);
        Assert.Equal([KitchenContract.EcallIds.EcallPrivate], d.Ocalls[KitchenContract.OcallIds.OcallAllow].Allow);
        Assert.True(d.IsNestedEcallAllowed(KitchenContract.OcallIds.OcallAllow, KitchenContract.EcallIds.EcallPrivate));
    }

    [Fact]
    public void Enclave_assembly_is_marked_with_the_factory()
    {
        var attribute = typeof(RoundTripTests).Assembly.GetCustomAttributes(typeof(EnclaveContractAttribute), false)
            .Cast<EnclaveContractAttribute>()
            .Single(a => a.FactoryType == typeof(KitchenEcallFactory));

        var factory = (IEcallFactory)Activator.CreateInstance(attribute.FactoryType)!;
        Assert.Equal(typeof(IKitchenEcalls), factory.EcallInterface);
        Assert.Throws<ArgumentException>(() => factory.Create(new object()));
    }
}
