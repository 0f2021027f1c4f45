namespace SecGear.FederatedSql.Results;

/// <summary>The GROUP BY values of a row as a dictionary key (value equality; NULLs group together, as in SQL).</summary>
public readonly struct GroupKey : IEquatable<GroupKey>
{
    private readonly object?[] _values;
    private readonly int _hash;

    /// <summary>Wraps the values (not copied).</summary>
    public GroupKey(object?[] values)
    {
        _values = values;
        var hash = new HashCode();
        foreach (object? value in values)
        {
            hash.Add(value);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>The values.</summary>
    public object?[] Values => _values;

    /// <inheritdoc />
    public bool Equals(GroupKey other)
    {
        if (_hash != other._hash || _values.Length != other._values.Length)
        {
            return false;
        }

        for (int i = 0; i < _values.Length; i++)
        {
            if (!Equals(_values[i], other._values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is GroupKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash;
}
