namespace SecGear.EncryptedDb.Enclave;

/// <summary>Equality of GROUP BY keys: NULLs group together (as in SQL), values by their own equality.</summary>
internal sealed class GroupKeyComparer : IEqualityComparer<object?[]>
{
    public static readonly GroupKeyComparer Instance = new();

    public bool Equals(object?[]? x, object?[]? y)
    {
        if (x is null || y is null || x.Length != y.Length)
        {
            return x == y;
        }

        for (int i = 0; i < x.Length; i++)
        {
            if (!Equals(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(object?[] key)
    {
        var hash = default(HashCode);
        foreach (object? value in key)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }
}
