using System.Buffers;
using System.Runtime.CompilerServices;

namespace SecGear.Transport;

/// <summary>
/// One slot of the shared region seen from one side: posts messages (inline, or through a per-call overflow file
/// when the payload does not fit) and reads the peer's messages, copying every byte into private memory once.
/// Every header field the peer wrote is validated before use.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe class Slot
{
    private readonly byte* _slot;
    private readonly int _inlineCapacity;
    private readonly int _maxPayload;
    private readonly string _sendPrefix;
    private readonly string _receivePrefix;
    private long _sendSequence;

    public Slot(byte* slot, int slotSize, int maxPayload, string overflowBase, int index, bool isHost)
    {
        _slot = slot;
        _inlineCapacity = slotSize - RegionLayout.SlotHeaderSize;
        _maxPayload = maxPayload;
        Index = index;
        string prefix = $"{overflowBase}.{index}.";
        _sendPrefix = prefix + (isHost ? "h" : "e");
        _receivePrefix = prefix + (isHost ? "e" : "h");
    }

    public int Index { get; }

    public int* StateWord => (int*)(_slot + RegionLayout.OffState);

    public int State => Volatile.Read(ref *StateWord);

    /// <summary>Writes a message and hands the slot to the peer (<paramref name="newState"/>), waking it.</summary>
    /// <exception cref="PayloadTooLargeException">The payload exceeds the limit; nothing was sent.</exception>
    public void Post(int newState, MessageKind kind, int contract, int function, int status, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > _maxPayload)
        {
            throw new PayloadTooLargeException($"A {kind} payload of {payload.Length} bytes exceeds the {_maxPayload}-byte limit.");
        }

        int flags = 0;
        long sequence = 0;
        if (payload.Length <= _inlineCapacity)
        {
            payload.CopyTo(new Span<byte>(_slot + RegionLayout.SlotHeaderSize, _inlineCapacity));
        }
        else
        {
            sequence = ++_sendSequence;
            OverflowFile.Write(_sendPrefix + sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), payload);
            flags = RegionLayout.FlagOverflow;
        }

        Unsafe.WriteUnaligned(_slot + RegionLayout.OffKind, (int)kind);
        Unsafe.WriteUnaligned(_slot + RegionLayout.OffContract, contract);
        Unsafe.WriteUnaligned(_slot + RegionLayout.OffFunction, function);
        Unsafe.WriteUnaligned(_slot + RegionLayout.OffStatus, status);
        Unsafe.WriteUnaligned(_slot + RegionLayout.OffFlags, flags);
        Unsafe.WriteUnaligned(_slot + RegionLayout.OffLength, (long)payload.Length);
        Unsafe.WriteUnaligned(_slot + RegionLayout.OffOverflowSequence, sequence);
        Volatile.Write(ref *StateWord, newState);
        Futex.Wake(StateWord);
    }

    /// <summary>Sets the state without a message (the host marks a finished call idle, or a dead peer).</summary>
    public void SetState(int state, bool wake)
    {
        Volatile.Write(ref *StateWord, state);
        if (wake)
        {
            Futex.Wake(StateWord);
        }
    }

    /// <summary>Sleeps while the state is <paramref name="state"/> (or until the timeout; negative: no limit).</summary>
    public void WaitWhile(int state, int timeoutMs) => Futex.Wait(StateWord, state, timeoutMs);

    /// <summary>Reads and validates the peer's message header.</summary>
    /// <exception cref="MarshalException">The header is inconsistent.</exception>
    public SlotMessage ReadMessage()
    {
        int kind = Unsafe.ReadUnaligned<int>(_slot + RegionLayout.OffKind);
        int contract = Unsafe.ReadUnaligned<int>(_slot + RegionLayout.OffContract);
        int function = Unsafe.ReadUnaligned<int>(_slot + RegionLayout.OffFunction);
        int status = Unsafe.ReadUnaligned<int>(_slot + RegionLayout.OffStatus);
        int flags = Unsafe.ReadUnaligned<int>(_slot + RegionLayout.OffFlags);
        long length = Unsafe.ReadUnaligned<long>(_slot + RegionLayout.OffLength);
        long sequence = Unsafe.ReadUnaligned<long>(_slot + RegionLayout.OffOverflowSequence);
        bool overflow = (flags & RegionLayout.FlagOverflow) != 0;
        if (length < 0 || length > _maxPayload)
        {
            throw new MarshalException($"Slot {Index}: a message declares {length} payload bytes; the limit is {_maxPayload}.");
        }

        if (!overflow && length > _inlineCapacity)
        {
            throw new MarshalException($"Slot {Index}: an inline message declares {length} bytes; the inline area holds {_inlineCapacity}.");
        }

        if (overflow && sequence <= 0)
        {
            throw new MarshalException($"Slot {Index}: an overflow message has sequence number {sequence}.");
        }

        return new SlotMessage((MessageKind)kind, contract, function, status, overflow, (int)length, sequence);
    }

    /// <summary>Copies the payload of <paramref name="message"/> into <paramref name="destination"/> (exactly its length).</summary>
    public void ReadPayload(in SlotMessage message, Span<byte> destination)
    {
        if (destination.Length != message.Length)
        {
            throw new ArgumentException("The destination must be exactly the payload length.", nameof(destination));
        }

        if (message.Overflow)
        {
            OverflowFile.ReadAndDelete(_receivePrefix + message.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), destination);
        }
        else
        {
            new ReadOnlySpan<byte>(_slot + RegionLayout.SlotHeaderSize, message.Length).CopyTo(destination);
        }
    }

    /// <summary>Copies the payload of <paramref name="message"/> into <paramref name="destination"/>.</summary>
    public void ReadPayload(in SlotMessage message, IBufferWriter<byte> destination)
    {
        if (message.Length == 0)
        {
            if (message.Overflow)
            {
                ReadPayload(message, Span<byte>.Empty);
            }

            return;
        }

        ReadPayload(message, destination.GetSpan(message.Length)[..message.Length]);
        destination.Advance(message.Length);
    }

    /// <summary>Copies the payload into a new private array.</summary>
    public byte[] ReadPayload(in SlotMessage message)
    {
        byte[] bytes = message.Length == 0 ? [] : new byte[message.Length];
        ReadPayload(message, bytes);
        return bytes;
    }
}
