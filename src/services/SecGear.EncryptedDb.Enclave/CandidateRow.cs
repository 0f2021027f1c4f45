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
    private byte[] _reference = new byte[64];

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
            ReadOnlySpan<byte> rowId = column.Plan.Encryption == EncryptionType.Randomized ? Reference(column.Binding!.Description, column.Plan) : default;
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
        int slot = column.Plan.TagSlot * ColumnKey.RowTagLength;
        if (tagsLength < slot + ColumnKey.RowTagLength)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {column.TagBinding!.Description} arrived without its row tag");
        }

        ReadOnlySpan<byte> reference = Reference(column.TagBinding!.Description, column.Plan);
        column.Key!.VerifyRowTag(column.TagBinding!, reference, length >= 0,
            length >= 0 ? _batch.AsSpan(offset, length) : default, _batch.AsSpan(tagsOffset + slot, ColumnKey.RowTagLength));
    }

    // The row reference (row id and version) a randomized cell or row tag of this row is bound to.
    private ReadOnlySpan<byte> Reference(string description, PlanColumn column)
    {
        (int idOffset, int idLength) = _cells[_first + column.RowIdColumn];
        (int versionOffset, int versionLength) = _cells[_first + column.VersionColumn];
        if (idLength < 0 || versionLength < 0)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {description} arrived in a row whose row id or version is NULL");
        }

        if (_reference.Length < idLength + RowReference.VersionLength)
        {
            _reference = new byte[idLength + RowReference.VersionLength];
        }

        int length = RowReference.Write(_reference, _batch.AsSpan(idOffset, idLength), _batch.AsSpan(versionOffset, versionLength));
        if (length < 0)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {description} arrived in a row whose version is not a bigint");
        }

        return _reference.AsSpan(0, length);
    }
}
