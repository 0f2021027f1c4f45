using System.Buffers.Binary;

namespace SecGear.Images;

/// <summary>Canonical file table: per file (path length u16, UTF-8 path, content length u64, SHA-256 of content).</summary>
internal static class FileTable
{
    public const int FixedEntryBytes = 2 + 8 + ImageFormat.FileHashSize;

    public static int EntrySize(int pathBytes) => FixedEntryBytes + pathBytes;

    public static void WriteEntry(Span<byte> destination, ReadOnlySpan<byte> path, long length, ReadOnlySpan<byte> sha256)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)path.Length);
        path.CopyTo(destination[2..]);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[(2 + path.Length)..], (ulong)length);
        sha256.CopyTo(destination[(10 + path.Length)..]);
    }
}
