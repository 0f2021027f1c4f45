namespace SecGear.EncryptedDb.Client;

/// <summary>A column of a table to create.</summary>
/// <param name="Name">Column name (letters, digits, underscore).</param>
/// <param name="Type">Value type.</param>
/// <param name="Encryption">Plain, Deterministic or Randomized.</param>
/// <param name="KeyName">Column encryption key for encrypted columns.</param>
/// <param name="Domain">Optional equality domain for deterministic columns that are joined with each other.</param>
public sealed record ColumnDefinition(string Name, DbValueType Type, EncryptionType Encryption = EncryptionType.Plain, string? KeyName = null, string? Domain = null);
