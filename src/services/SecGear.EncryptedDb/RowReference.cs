using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.EncryptedDb;

/// <summary>
/// How a randomized cell (in its associated data) and a deterministic cell's row tag name their row: the canonical
/// encoding of the row id (<see cref="ValueCodec"/>) followed by the row's version, a u64 big-endian kept in the hidden
/// column <see cref="VersionColumn"/>. A row starts at a random version and every UPDATE that writes an encrypted column
/// re-binds all of the row's encrypted cells to the next version, so a cell (or a row tag) rolled back to an older
/// version of the same row no longer matches the row's other cells (docs/encrypted-db.md, "Rollback").
/// </summary>
public static class RowReference
{
    /// <summary>The hidden bigint column holding a row's version.</summary>
    public const string VersionColumn = "encdb_version";

    /// <summary>Bytes of the version at the end of a row reference.</summary>
    public const int VersionLength = 8;

    /// <summary>The row reference of <paramref name="rowId"/> (its canonical encoding) at <paramref name="version"/>.</summary>
    public static byte[] Of(ReadOnlySpan<byte> rowId, long version)
    {
        byte[] reference = new byte[rowId.Length + VersionLength];
        rowId.CopyTo(reference);
        BinaryPrimitives.WriteInt64BigEndian(reference.AsSpan(rowId.Length), version);
        return reference;
    }

    /// <summary>
    /// Writes the row reference from a row id's and a version's canonical encodings as they arrive in a row batch;
    /// returns its length, or -1 when the version cell is not a bigint encoding (an integrity failure for the caller).
    /// </summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> rowId, ReadOnlySpan<byte> versionCell)
    {
        if (versionCell.Length != 1 + VersionLength || versionCell[0] != (byte)DbValueType.Int64 || destination.Length < rowId.Length + VersionLength)
        {
            return -1;
        }

        rowId.CopyTo(destination);
        versionCell[1..].CopyTo(destination[rowId.Length..]);
        return rowId.Length + VersionLength;
    }

    /// <summary>
    /// A new row's first version: random (62 bits), so a row deleted and inserted again under the same row id does not
    /// accept the old row's cells either.
    /// </summary>
    public static long NewVersion() => (long)(BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8)) >> 2) + 1;
}
