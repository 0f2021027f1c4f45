using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace SecGear.Transport;

/// <summary>
/// A file under /dev/shm mapped read-write: the switchless pool and host-allocated shared buffers. The mapping
/// is reference-counted through <see cref="Memory"/>: <see cref="Dispose"/> unmaps only once no user holds a reference.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private int _disposed;

    private MappedFile(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, long length)
    {
        Path = path;
        _file = file;
        _view = view;
        Length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Pointer = pointer + view.PointerOffset;
    }

    public string Path { get; }

    public long Length { get; }

    public byte* Pointer { get; }

    /// <summary>The mapping's handle: add a reference to keep it mapped while you use <see cref="Pointer"/>.</summary>
    public SafeHandle Memory => _view.SafeMemoryMappedViewHandle;

    /// <summary>Creates a new file (mode 0600, never an existing one) of <paramref name="length"/> zero bytes and maps it.</summary>
    public static MappedFile Create(string path, long length)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        var stream = new FileStream(path, options);
        try
        {
            stream.SetLength(length);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }

        return Map(path, stream, length);
    }

    /// <summary>Maps an existing file whose length must be exactly <paramref name="length"/>.</summary>
    /// <exception cref="IOException">The file is missing or has another length.</exception>
    public static MappedFile Open(string path, long length)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (stream.Length != length)
        {
            long actual = stream.Length;
            stream.Dispose();
            throw new IOException($"'{System.IO.Path.GetFileName(path)}' is {actual} bytes; {length} were expected.");
        }

        return Map(path, stream, length);
    }

    /// <summary>Releases this owner's reference; the memory is unmapped once every other reference is released too.</summary>
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

    private static MappedFile Map(string path, FileStream stream, long length)
    {
        MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        MemoryMappedViewAccessor view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        return new MappedFile(path, file, view, length);
    }
}
