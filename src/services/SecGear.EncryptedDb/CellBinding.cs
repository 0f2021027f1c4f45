using System.Buffers.Binary;
using System.Text;

namespace SecGear.EncryptedDb;

/// <summary>
/// What a cell ciphertext is bound to, as AEAD associated data:
/// <c>"secgear-encdb v1" | scheme u8 | len u16 | table | len u16 | column | len u16 | row reference</c>.
/// Randomized cells bind table, column and the row reference (<see cref="RowReference"/>: the canonical encoding of the
/// table's row-id column value followed by the row's version), so a ciphertext moved to another row or column, or
/// rolled back to an older version of its row, fails authentication. Deterministic cells cannot bind the row (equal
/// values must give equal ciphertexts in every row): they bind the table and column, or an explicit equality domain
/// shared by columns that are joined; the row reference part is empty (docs/encrypted-db.md, "What binds a cell").
/// </summary>
public sealed class CellBinding
{
    private static readonly byte[] Label = "secgear-encdb v1"u8.ToArray();
    private readonly byte[] _prefix;

    /// <summary>Binds cells of <paramref name="table"/>.<paramref name="column"/> (or the equality <paramref name="domain"/>).</summary>
    public CellBinding(EncryptionType scheme, string table, string column, string? domain = null)
    {
        if (scheme == EncryptionType.Plain)
        {
            throw new ArgumentException("a plaintext column has no cell binding", nameof(scheme));
        }

        Scheme = scheme;
        (string first, string second) = scheme == EncryptionType.Deterministic && domain is not null ? ("domain", domain) : (table, column);
        byte[] a = Encoding.UTF8.GetBytes(first);
        byte[] b = Encoding.UTF8.GetBytes(second);
        if (a.Length > ushort.MaxValue || b.Length > ushort.MaxValue)
        {
            throw new ArgumentException("table, column and domain names are limited to 65535 UTF-8 bytes");
        }

        _prefix = new byte[Label.Length + 1 + 2 + a.Length + 2 + b.Length];
        Label.CopyTo(_prefix, 0);
        int offset = Label.Length;
        _prefix[offset++] = (byte)scheme;
        BinaryPrimitives.WriteUInt16BigEndian(_prefix.AsSpan(offset), (ushort)a.Length);
        a.CopyTo(_prefix, offset + 2);
        offset += 2 + a.Length;
        BinaryPrimitives.WriteUInt16BigEndian(_prefix.AsSpan(offset), (ushort)b.Length);
        b.CopyTo(_prefix, offset + 2);
        Description = scheme == EncryptionType.Deterministic && domain is not null ? $"{table}.{column} (domain {domain})" : $"{table}.{column}";
    }

    /// <summary>The scheme the binding belongs to.</summary>
    public EncryptionType Scheme { get; }

    /// <summary>"table.column" for error messages (never a value).</summary>
    public string Description { get; }

    /// <summary>Length of the associated data for a row id of <paramref name="rowIdLength"/> bytes.</summary>
    public int AadLength(int rowIdLength) => _prefix.Length + 2 + rowIdLength;

    /// <summary>Writes the associated data; <paramref name="rowId"/> must be empty for deterministic cells.</summary>
    public int WriteAad(Span<byte> destination, ReadOnlySpan<byte> rowId)
    {
        if (Scheme == EncryptionType.Deterministic && !rowId.IsEmpty)
        {
            throw new ArgumentException("deterministic cells are not bound to a row", nameof(rowId));
        }

        if (rowId.Length > ushort.MaxValue)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"a row id of {rowId.Length} bytes");
        }

        _prefix.CopyTo(destination);
        BinaryPrimitives.WriteUInt16BigEndian(destination[_prefix.Length..], (ushort)rowId.Length);
        rowId.CopyTo(destination[(_prefix.Length + 2)..]);
        return _prefix.Length + 2 + rowId.Length;
    }
}
