namespace SecGear.EncryptedDb.Client;

/// <summary>An encrypted table: its columns in order and the plaintext row-id column randomized cells are bound to.</summary>
/// <param name="Name">Table name.</param>
/// <param name="RowIdColumn">The row-id column (plaintext, unique, never updated).</param>
/// <param name="Columns">The columns in order.</param>
/// <param name="RowTags">True when the table keeps a row tag per deterministic cell in its <c>encdb_tags</c> column.</param>
public sealed record TableSchema(string Name, string RowIdColumn, IReadOnlyList<ColumnSchema> Columns, bool RowTags = false)
{
    /// <summary>The hidden column holding a table's row tags (16 bytes per deterministic column, in column order).</summary>
    public const string TagsColumn = "encdb_tags";

    /// <summary>The deterministic columns in order: tag slot <c>i</c> belongs to the <c>i</c>-th.</summary>
    public IReadOnlyList<ColumnSchema> DeterministicColumns => [.. Columns.Where(c => c.Encryption == EncryptionType.Deterministic)];

    /// <summary>True when <paramref name="column"/>'s cells carry row tags.</summary>
    public bool Tagged(ColumnSchema column) => RowTags && column.Encryption == EncryptionType.Deterministic;

    /// <summary>The tag slot of a deterministic column.</summary>
    public int TagSlot(ColumnSchema column) => Columns.Where(c => c.Encryption == EncryptionType.Deterministic).ToList().FindIndex(c => c.Name == column.Name);

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The row-id column.</summary>
    public ColumnSchema RowId => Find(RowIdColumn)!;
}
