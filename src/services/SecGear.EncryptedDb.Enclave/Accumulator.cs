namespace SecGear.EncryptedDb.Enclave;

/// <summary>The running state of one aggregate in one group, with PostgreSQL's result rules.</summary>
internal sealed class Accumulator(OutputKind kind)
{
    private long _count;
    private decimal _sum;
    private object? _extreme;

    public void Add(object? value)
    {
        if (kind == OutputKind.CountStar)
        {
            _count++;
            return;
        }

        if (value is null)
        {
            return;
        }

        _count++;
        switch (kind)
        {
            case OutputKind.Sum or OutputKind.Avg:
                try
                {
                    _sum = checked(_sum + value switch
                    {
                        long l => l,
                        decimal d => d,
                        _ => throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, "SUM and AVG apply to numeric columns only"),
                    });
                }
                catch (OverflowException)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.EvaluationFailed, "a SUM or AVG left the 28-digit decimal range");
                }

                break;
            case OutputKind.Min when _extreme is null || ValueCodec.Compare(value, _extreme) < 0:
            case OutputKind.Max when _extreme is null || ValueCodec.Compare(value, _extreme) > 0:
                _extreme = value;
                break;
        }
    }

    /// <summary>Adds the state another partition of the same group built.</summary>
    public void Merge(Accumulator other)
    {
        _count += other._count;
        try
        {
            _sum = checked(_sum + other._sum);
        }
        catch (OverflowException)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.EvaluationFailed, "a SUM or AVG left the 28-digit decimal range");
        }

        if (other._extreme is not null && (_extreme is null || (kind == OutputKind.Min ? ValueCodec.Compare(other._extreme, _extreme) < 0 : ValueCodec.Compare(other._extreme, _extreme) > 0)))
        {
            _extreme = other._extreme;
        }
    }

    /// <summary>COUNT: a long; SUM: decimal or NULL; AVG: decimal (28 significant digits) or NULL; MIN/MAX: the value.</summary>
    public object? Result() => kind switch
    {
        OutputKind.CountStar or OutputKind.Count => _count,
        OutputKind.Sum => _count == 0 ? null : _sum,
        OutputKind.Avg => _count == 0 ? null : _sum / _count,
        _ => _extreme,
    };
}
