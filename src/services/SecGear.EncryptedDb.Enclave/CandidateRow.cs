namespace SecGear.EncryptedDb.Enclave;

/// <summary>
/// One candidate row of a batch, decoded lazily: a column is decrypted (or decoded) the first time the filter or an
/// output needs it, so a range filter on one randomized column decrypts only that column for rows that fail it.
/// Reused for every row of a batch (no allocation per row beyond the values themselves).
/// </summary>
internal sealed class CandidateRow : IRowValues
{
    private readonly CompiledColumn[] _columns;
    private readonly object?[] _values;
    private readonly bool[] _decoded;
    private byte[] _batch = [];
    private List<(int Offset, int Length)> _cells = [];
    private int _first;

    public CandidateRow(CompiledColumn[] columns)
    {
        _columns = columns;
        _values = new object?[columns.Length];
        _decoded = new bool[columns.Length];
    }

    /// <summary>Points at row <paramref name="row"/> of a parsed batch.</summary>
    public void MoveTo(byte[] batch, List<(int Offset, int Length)> cells, int row)
    {
        _batch = batch;
        _cells = cells;
        _first = row * _columns.Length;
        Array.Clear(_decoded);
    }

    /// <summary>The plaintext value of candidate column <paramref name="index"/> (null for SQL NULL).</summary>
    public object? Value(int index)
    {
        if (_decoded[index])
        {
            return _values[index];
        }

        (int offset, int length) = _cells[_first + index];
        CompiledColumn column = _columns[index];
        if (column.Plan.TagColumn >= 0)
        {
            VerifyTag(column, offset, length);
        }

        object? value;
        if (length < 0)
        {
            value = null;
        }
        else if (column.Key is null)
        {
            value = ValueCodec.Decode(_batch.AsSpan(offset, length), column.Plan.Type);
        }
        else
        {
            ReadOnlySpan<byte> rowId = default;
            if (column.Plan.Encryption == EncryptionType.Randomized)
            {
                (int idOffset, int idLength) = _cells[_first + column.Plan.RowIdColumn];
                if (idLength < 0)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {column.Binding!.Description} arrived in a row whose row id is NULL");
                }

                rowId = _batch.AsSpan(idOffset, idLength);
            }

            value = column.Key.DecryptValue(_batch.AsSpan(offset, length), column.Binding!, rowId);
            if (ValueCodec.TypeOf(value) != column.Plan.Type)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {column.Binding!.Description} holds a {ValueCodec.TypeOf(value)} where {column.Plan.Type} was declared");
            }
        }

        _values[index] = value;
        _decoded[index] = true;
        return value;
    }

    /// <summary>
    /// Checks the row tag of every deterministic column not read yet (a row is kept only when all of its deterministic
    /// cells, including those PostgreSQL compared, belong to it).
    /// </summary>
    public void VerifyUnreadTags()
    {
        for (int i = 0; i < _columns.Length; i++)
        {
            if (!_decoded[i] && _columns[i].Plan.TagColumn >= 0)
            {
                (int offset, int length) = _cells[_first + i];
                VerifyTag(_columns[i], offset, length);
            }
        }
    }

    private void VerifyTag(CompiledColumn column, int offset, int length)
    {
        (int tagsOffset, int tagsLength) = _cells[_first + column.Plan.TagColumn];
        (int idOffset, int idLength) = _cells[_first + column.Plan.RowIdColumn];
        int slot = column.Plan.TagSlot * ColumnKey.RowTagLength;
        if (tagsLength < slot + ColumnKey.RowTagLength || idLength < 0)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {column.TagBinding!.Description} arrived without its row tag or row id");
        }

        column.Key!.VerifyRowTag(column.TagBinding!, _batch.AsSpan(idOffset, idLength), length >= 0,
            length >= 0 ? _batch.AsSpan(offset, length) : default, _batch.AsSpan(tagsOffset + slot, ColumnKey.RowTagLength));
    }
}
