namespace SecGear.Transport;

/// <summary>
/// Byte layout of the shared region (docs/architecture.md): one 4 KiB header page, then one slot per enclave
/// thread. A slot is a 64-byte message header followed by the inline payload area.
/// </summary>
internal static class RegionLayout
{
    /// <summary>The bytes "GSHM\0\0v1" read as a little-endian 64-bit value.</summary>
    public const ulong Magic = 0x3176_0000_4D48_5347;

    public const int Version = 1;

    public const int HeaderSize = 4096;

    public const int SlotHeaderSize = 64;

    /// <summary>Default slot size: 64 KiB, of which 65,472 bytes are inline payload.</summary>
    public const int DefaultSlotSize = 64 * 1024;

    public const int MinSlotSize = 4096;

    public const int MaxSlotSize = 16 * 1024 * 1024;

    public const int MaxSlots = 4096;

    // Region header.
    public const int OffMagic = 0;
    public const int OffVersion = 8;
    public const int OffSlotCount = 12;
    public const int OffSlotSize = 16;
    public const int OffMaxPayload = 24;

    // Slot header.
    public const int OffState = 0;
    public const int OffKind = 4;
    public const int OffContract = 8;
    public const int OffFunction = 12;
    public const int OffStatus = 16;
    public const int OffFlags = 20;
    public const int OffLength = 24;
    public const int OffOverflowSequence = 32;

    /// <summary>Slot flag: the payload is in an overflow file, not inline.</summary>
    public const int FlagOverflow = 1;

    public static long RegionSize(int slotCount, int slotSize) => HeaderSize + ((long)slotCount * slotSize);
}
