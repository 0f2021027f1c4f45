namespace SecGear.EncryptedDb.Client;

/// <summary>
/// Computes a row's <c>encdb_tags</c>: one 16-byte HMAC tag per deterministic column, in column order, binding the
/// stored cell (or its NULL) to the table, column and row reference: row id and version (<see cref="ColumnKey.ComputeRowTag"/>,
/// <see cref="RowReference"/>).
/// </summary>
internal sealed class RowTagWriter
{
    private readonly IReadOnlyList<ColumnSchema> _columns;
    private readonly RowTagBinding[] _bindings;
    private readonly Func<string, ColumnKey> _key;

    public RowTagWriter(TableSchema table, Func<string, ColumnKey> key)
    {
        _columns = table.RowTags ? table.DeterministicColumns : [];
        _bindings = [.. _columns.Select(c => new RowTagBinding(c.Table, c.Name))];
        _key = key;
    }

    /// <summary>True when the table keeps row tags.</summary>
    public bool Active => _columns.Count > 0;

    /// <summary>The tags of a whole row; <paramref name="cellOf"/> gives a deterministic column's stored cell (null for NULL).</summary>
    public byte[] Row(ReadOnlySpan<byte> rowReference, Func<ColumnSchema, byte[]?> cellOf)
    {
        byte[] tags = new byte[_columns.Count * ColumnKey.RowTagLength];
        for (int i = 0; i < _columns.Count; i++)
        {
            byte[]? cell = cellOf(_columns[i]);
            _key(_columns[i].KeyName!).ComputeRowTag(_bindings[i], rowReference, cell is not null, cell, tags.AsSpan(i * ColumnKey.RowTagLength, ColumnKey.RowTagLength));
        }

        return tags;
    }
}
