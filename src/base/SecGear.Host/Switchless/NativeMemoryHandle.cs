using System.Runtime.InteropServices;

namespace SecGear.Host.Switchless;

/// <summary>Page-aligned, zeroed native memory for the in-process engine's pool and shared buffers, freed when the last reference goes.</summary>
internal sealed unsafe class NativeMemoryHandle : SafeHandle
{
    public NativeMemoryHandle(long length)
        : base(0, ownsHandle: true)
    {
        void* memory = NativeMemory.AlignedAlloc((nuint)length, 4096);
        NativeMemory.Clear(memory, (nuint)length);
        SetHandle((nint)memory);
        Length = length;
    }

    public long Length { get; }

    public byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
