using System.Buffers.Binary;
using System.Text;

namespace SecGear.EncryptedDb;

/// <summary>
/// What a deterministic cell's row tag binds, as the start of the HMAC input:
/// <c>"secgear-encdb row tag v1" | len u16 | table | len u16 | column</c>; the row id and the cell follow
/// (<see cref="ColumnKey.ComputeRowTag"/>). Unlike the cell's own associated data it names the real table and column,
/// never the equality domain, so a tag cannot be reused in another column of the same domain.
/// </summary>
public sealed class RowTagBinding
{
    private static readonly byte[] Label = "secgear-encdb row tag v1"u8.ToArray();

    /// <summary>Binds tags of <paramref name="table"/>.<paramref name="column"/>.</summary>
    public RowTagBinding(string table, string column)
    {
        byte[] a = Encoding.UTF8.GetBytes(table);
        byte[] b = Encoding.UTF8.GetBytes(column);
        if (a.Length > ushort.MaxValue || b.Length > ushort.MaxValue)
        {
            throw new ArgumentException("table and column names are limited to 65535 UTF-8 bytes");
        }

        Prefix = new byte[Label.Length + 2 + a.Length + 2 + b.Length];
        Label.CopyTo(Prefix, 0);
        BinaryPrimitives.WriteUInt16BigEndian(Prefix.AsSpan(Label.Length), (ushort)a.Length);
        a.CopyTo(Prefix, Label.Length + 2);
        BinaryPrimitives.WriteUInt16BigEndian(Prefix.AsSpan(Label.Length + 2 + a.Length), (ushort)b.Length);
        b.CopyTo(Prefix, Label.Length + 4 + a.Length);
        Description = $"{table}.{column}";
    }

    /// <summary>"table.column" for error messages (never a value).</summary>
    public string Description { get; }

    internal byte[] Prefix { get; }
}
