using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;

namespace SecGear.Transport;

/// <summary>
/// The region both processes map: a file under /dev/shm (mode 0600) created by the runner, mapped by the host,
/// and unlinked by the host once it has mapped it. The mapping stays alive while calls hold a reference
/// (<see cref="TryEnter"/>/<see cref="Exit"/>), so disposing it while a call is in flight never unmaps memory under
/// that call.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe class SharedRegion : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private int _disposed;

    private SharedRegion(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, int slotCount, int slotSize, int maxPayload)
    {
        Path = path;
        _file = file;
        _view = view;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + view.PointerOffset;
        SlotCount = slotCount;
        SlotSize = slotSize;
        MaxPayload = maxPayload;
    }

    public string Path { get; }

    public int SlotCount { get; }

    public int SlotSize { get; }

    public int MaxPayload { get; }

    /// <summary>Runner side: creates and maps a new region file.</summary>
    public static SharedRegion Create(string path, int slotCount, int slotSize, int maxPayload)
    {
        long size = RegionLayout.RegionSize(slotCount, slotSize);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        var stream = new FileStream(path, options);
        stream.SetLength(size);
        MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
        var region = new SharedRegion(path, file, view, slotCount, slotSize, maxPayload);
        byte* header = region._base;
        Unsafe.WriteUnaligned(header + RegionLayout.OffVersion, RegionLayout.Version);
        Unsafe.WriteUnaligned(header + RegionLayout.OffSlotCount, slotCount);
        Unsafe.WriteUnaligned(header + RegionLayout.OffSlotSize, slotSize);
        Unsafe.WriteUnaligned(header + RegionLayout.OffMaxPayload, (long)maxPayload);
        Volatile.Write(ref *(ulong*)(header + RegionLayout.OffMagic), RegionLayout.Magic);
        return region;
    }

    /// <summary>Host side: maps the region the runner announced and checks its header against what the host expects.</summary>
    /// <exception cref="EnclaveLostException">The region is missing or its layout is not the one announced.</exception>
    public static SharedRegion Open(string path, int expectedSlots, int expectedSlotSize, int maxPayload)
    {
        long size = RegionLayout.RegionSize(expectedSlots, expectedSlotSize);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EnclaveLostException($"Cannot open the enclave's shared region: {ex.Message}", ex);
        }

        if (stream.Length != size)
        {
            stream.Dispose();
            throw new EnclaveLostException($"The enclave's shared region is {stream.Length} bytes; {size} were expected.");
        }

        MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
        var region = new SharedRegion(path, file, view, expectedSlots, expectedSlotSize, maxPayload);
        byte* header = region._base;
        string? mismatch =
            Mismatch("magic", Unsafe.ReadUnaligned<ulong>(header + RegionLayout.OffMagic), RegionLayout.Magic, hex: true)
            ?? Mismatch("version", Unsafe.ReadUnaligned<int>(header + RegionLayout.OffVersion), RegionLayout.Version)
            ?? Mismatch("slot count", Unsafe.ReadUnaligned<int>(header + RegionLayout.OffSlotCount), expectedSlots)
            ?? Mismatch("slot size", Unsafe.ReadUnaligned<int>(header + RegionLayout.OffSlotSize), expectedSlotSize)
            ?? Mismatch("payload limit", Unsafe.ReadUnaligned<long>(header + RegionLayout.OffMaxPayload), maxPayload);
        if (mismatch is not null)
        {
            region.Dispose();
            throw new EnclaveLostException($"The enclave's shared region header does not match what the runner announced: {mismatch}.");
        }

        return region;
    }

    /// <summary>"field is found; expected expected" when the header field differs, else null.</summary>
    private static string? Mismatch<T>(string field, T found, T expected, bool hex = false)
        where T : struct, IEquatable<T>, IFormattable
    {
        string format = hex ? "x16" : "D";
        return found.Equals(expected) ? null
            : $"{field} is {(hex ? "0x" : "")}{found.ToString(format, CultureInfo.InvariantCulture)}; expected {(hex ? "0x" : "")}{expected.ToString(format, CultureInfo.InvariantCulture)}";
    }

    /// <summary>Creates this side's view of slot <paramref name="index"/>.</summary>
    public Slot CreateSlot(int index, bool isHost)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, SlotCount);
        byte* slot = _base + RegionLayout.HeaderSize + ((long)index * SlotSize);
        return new Slot(slot, SlotSize, MaxPayload, Path, index, isHost);
    }

    /// <summary>Keeps the mapping alive for one call; false once the region is disposed.</summary>
    public bool TryEnter()
    {
        bool added = false;
        try
        {
            _view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return added;
    }

    /// <summary>Ends what <see cref="TryEnter"/> started.</summary>
    public void Exit() => _view.SafeMemoryMappedViewHandle.DangerousRelease();

    /// <summary>Deletes the region file (the mapping stays valid).</summary>
    public void Unlink()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Already gone or not ours to delete: nothing else refers to it by name.
            return;
        }
    }

    /// <summary>Unmaps the region once no call holds it any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
