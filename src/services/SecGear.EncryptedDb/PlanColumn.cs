namespace SecGear.EncryptedDb;

/// <summary>
/// One column of the candidate rows the query service feeds the enclave, in order: its type, how it is stored, and
/// for an encrypted column the key name, the binding and which candidate column holds the row id.
/// </summary>
/// <param name="Type">The value type.</param>
/// <param name="Encryption">How the column is stored.</param>
/// <param name="KeyName">The column encryption key's name (empty for plaintext).</param>
/// <param name="Table">The table (for the cell binding and messages).</param>
/// <param name="Column">The column name.</param>
/// <param name="Domain">The equality domain of a deterministic column, or null.</param>
/// <param name="RowIdColumn">Candidate column holding the row id a randomized cell (or a deterministic cell's row tag) is bound to; -1 otherwise.</param>
/// <param name="TagColumn">For a deterministic column: the candidate column holding the row's <c>encdb_tags</c>; -1 for none.</param>
/// <param name="TagSlot">Which 16-byte row tag of <c>encdb_tags</c> belongs to this column.</param>
/// <param name="VersionColumn">Candidate column holding the row's version (<see cref="RowReference"/>) when <paramref name="RowIdColumn"/> is set; -1 otherwise.</param>
public sealed record PlanColumn(DbValueType Type, EncryptionType Encryption, string KeyName, string Table, string Column, string? Domain, int RowIdColumn, int TagColumn = -1, int TagSlot = 0, int VersionColumn = -1)
{
    /// <summary>The row-tag binding of a deterministic column whose table keeps row tags.</summary>
    public RowTagBinding TagBinding() => new(Table, Column);

    /// <summary>The cell binding of an encrypted column.</summary>
    public CellBinding Binding() => new(Encryption, Table, Column, Domain);
}
