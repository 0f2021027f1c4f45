namespace SecGear.EncryptedDb.Enclave;

/// <summary>A row a filter reads by index: a candidate row (WHERE) or a group's result row (HAVING).</summary>
internal interface IRowValues
{
    /// <summary>The value at <paramref name="index"/> (null for SQL NULL).</summary>
    object? Value(int index);
}
