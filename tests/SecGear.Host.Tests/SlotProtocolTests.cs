using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using SecGear.Abi;
using SecGear.Transport;

namespace SecGear.Host.Tests;

/// <summary>The shared-memory slot protocol, with one side playing a hostile peer.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed unsafe class SlotProtocolTests : IDisposable
{
    private const int MaxPayload = 1024 * 1024;
    private readonly SharedRegion _region;
    private readonly Slot _host;
    private readonly Slot _enclave;

    public SlotProtocolTests()
    {
        string path = $"/dev/shm/secgear-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        _region = SharedRegion.Create(path, 2, RegionLayout.DefaultSlotSize, MaxPayload);
        _host = _region.CreateSlot(1, isHost: true);
        _enclave = _region.CreateSlot(1, isHost: false);
    }

    [Fact]
    public void Inline_and_overflow_messages_arrive_intact()
    {
        foreach (int size in new[] { 0, 1, RegionLayout.DefaultSlotSize - RegionLayout.SlotHeaderSize, RegionLayout.DefaultSlotSize, MaxPayload })
        {
            byte[] payload = RandomNumberGenerator.GetBytes(size);
            _host.Post(SlotState.ToEnclave, MessageKind.Ecall, 3, 4, 0, payload);

            Assert.Equal(SlotState.ToEnclave, _enclave.State);
            SlotMessage message = _enclave.ReadMessage();
            Assert.Equal((MessageKind.Ecall, 3, 4, size), (message.Kind, message.Contract, message.Function, message.Length));
            Assert.Equal(payload, _enclave.ReadPayload(message));
        }

        Assert.DoesNotContain(Directory.GetFiles("/dev/shm"), f => f.StartsWith(_region.Path + ".", StringComparison.Ordinal));
    }

    [Fact]
    public void Sender_refuses_a_payload_over_the_limit_without_touching_the_slot()
    {
        Assert.Throws<PayloadTooLargeException>(() => _host.Post(SlotState.ToEnclave, MessageKind.Ecall, 0, 0, 0, new byte[MaxPayload + 1]));
        Assert.Equal(SlotState.Idle, _enclave.State);
    }

    [Theory]
    [InlineData(-1L, 0)]
    [InlineData(MaxPayload + 1L, RegionLayout.FlagOverflow)]
    [InlineData(RegionLayout.DefaultSlotSize, 0)]
    [InlineData(long.MaxValue, RegionLayout.FlagOverflow)]
    public void Receiver_rejects_a_header_whose_length_is_negative_oversized_or_larger_than_the_inline_area(long length, int flags)
    {
        _host.Post(SlotState.ToEnclave, MessageKind.Ecall, 0, 0, 0, [1, 2, 3]);
        byte* slot = SlotPointer();
        Unsafe.WriteUnaligned(slot + RegionLayout.OffLength, length);
        Unsafe.WriteUnaligned(slot + RegionLayout.OffFlags, flags);
        Unsafe.WriteUnaligned(slot + RegionLayout.OffOverflowSequence, 1L);

        Assert.Throws<MarshalException>(() => _enclave.ReadMessage());
    }

    [Fact]
    public void Receiver_rejects_an_overflow_file_whose_length_differs_from_the_header()
    {
        byte[] payload = RandomNumberGenerator.GetBytes(100_000);
        _host.Post(SlotState.ToEnclave, MessageKind.Ecall, 0, 0, 0, payload);
        Unsafe.WriteUnaligned(SlotPointer() + RegionLayout.OffLength, 99_999L);

        SlotMessage message = _enclave.ReadMessage();
        Assert.Throws<MarshalException>(() => _enclave.ReadPayload(message));
    }

    [Fact]
    public void Receiver_rejects_an_overflow_message_whose_file_does_not_exist()
    {
        _host.Post(SlotState.ToEnclave, MessageKind.Ecall, 0, 0, 0, [1]);
        byte* slot = SlotPointer();
        Unsafe.WriteUnaligned(slot + RegionLayout.OffFlags, RegionLayout.FlagOverflow);
        Unsafe.WriteUnaligned(slot + RegionLayout.OffLength, 70_000L);
        Unsafe.WriteUnaligned(slot + RegionLayout.OffOverflowSequence, 42L);

        SlotMessage message = _enclave.ReadMessage();
        Assert.Throws<MarshalException>(() => _enclave.ReadPayload(message));
    }

    [Fact]
    public void Error_records_round_trip_and_map_to_the_documented_host_exceptions()
    {
        var buffer = new WireBuffer();
        RemoteError.From(new InvalidOperationException("boom"), includeStackTrace: false).Encode(buffer);
        SecGearException ex = RemoteError.Decode((int)EnclaveStatus.EcallFailed, buffer.WrittenSpan).ToHostException();

        var failed = Assert.IsType<EcallFailedException>(ex);
        Assert.Equal(("System.InvalidOperationException", "boom"), (failed.RemoteType, failed.Message));
        Assert.IsType<MarshalException>(RemoteError.From(new MarshalException("bad"), false).ToHostException());
        Assert.Throws<MarshalException>(() => RemoteError.Decode(0, [0xFF, 0xFF, 0xFF, 0x0F]));
    }

    public void Dispose()
    {
        _region.Unlink();
        OverflowFile.DeleteAll(_region.Path);
        _region.Dispose();
    }

    private byte* SlotPointer()
    {
        // The slot's state word is the first field of the slot.
        return (byte*)_host.StateWord;
    }
}
