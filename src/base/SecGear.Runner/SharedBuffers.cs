using System.Runtime.Versioning;
using SecGear.Transport;
using SecGear.Trusted.SharedMemory;

namespace SecGear.Runner;

/// <summary>
/// Maps the host's shared buffers into the enclave: the file name derives from the region name and the buffer id
/// (the host never supplies a path), the length is checked against the file, and the mapping is registered in the
/// runtime's <see cref="SharedMemoryTable"/>, which hands back the token.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class SharedBuffers(string regionPath, SharedMemoryTable table, int maxLength)
{
    public nint Share(uint id, int length)
    {
        if (id == 0 || length <= 0 || length > maxLength)
        {
            throw new MarshalException($"A shared buffer of {length} bytes (id {id}) is outside 1..{maxLength} bytes.");
        }

        MappedFile file;
        try
        {
            file = MappedFile.Open($"{regionPath}.m{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}", (length + 4095L) & ~4095L);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SharedMemoryException($"Shared buffer {id} cannot be mapped: {ex.Message}");
        }

        try
        {
            return table.Register(id, file.Memory, file.Pointer, length, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public void Unshare(uint id)
    {
        if (!table.Remove(id))
        {
            throw new SharedMemoryException($"Shared buffer {id} is not registered.");
        }
    }
}
