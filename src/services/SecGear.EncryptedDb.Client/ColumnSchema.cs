namespace SecGear.EncryptedDb.Client;

/// <summary>One column of an encrypted table as the catalog records it.</summary>
/// <param name="Table">Table name.</param>
/// <param name="Name">Column name.</param>
/// <param name="Type">Value type.</param>
/// <param name="Encryption">How it is stored (encrypted columns are <c>bytea</c> in PostgreSQL).</param>
/// <param name="KeyName">Column encryption key (null for plaintext).</param>
/// <param name="Domain">Equality domain of a deterministic column (columns joined on each other share one), or null.</param>
public sealed record ColumnSchema(string Table, string Name, DbValueType Type, EncryptionType Encryption, string? KeyName, string? Domain)
{
    /// <summary>The cell binding (encrypted columns only).</summary>
    public CellBinding Binding() => new(Encryption, Table, Name, Domain);

    /// <summary>True when PostgreSQL can test equality on the stored bytes.</summary>
    public bool EqualityInDatabase => Encryption != EncryptionType.Randomized;

    /// <summary>The binding identity: equal for two columns whose deterministic ciphertexts compare equal.</summary>
    public string EqualityDomain => Encryption == EncryptionType.Deterministic && Domain is not null ? $"domain:{Domain}:{KeyName}" : $"{Table}.{Name}:{KeyName}";
}
