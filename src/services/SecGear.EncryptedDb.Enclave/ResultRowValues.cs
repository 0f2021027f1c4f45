namespace SecGear.EncryptedDb.Enclave;

/// <summary>A group's result row as HAVING sees it: output values by output index.</summary>
internal sealed class ResultRowValues(object?[] row) : IRowValues
{
    public object? Value(int index) => row[index];
}
