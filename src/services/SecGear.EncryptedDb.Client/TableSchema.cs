namespace SecGear.EncryptedDb.Client;

/// <summary>An encrypted table: its columns in order and the plaintext row-id column randomized cells are bound to.</summary>
/// <param name="Name">Table name.</param>
/// <param name="RowIdColumn">The row-id column (plaintext, unique, never updated).</param>
/// <param name="Columns">The columns in order.</param>
public sealed record TableSchema(string Name, string RowIdColumn, IReadOnlyList<ColumnSchema> Columns)
{
    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The row-id column.</summary>
    public ColumnSchema RowId => Find(RowIdColumn)!;
}
