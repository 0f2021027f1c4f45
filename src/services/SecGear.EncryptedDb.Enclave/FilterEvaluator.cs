namespace SecGear.EncryptedDb.Enclave;

/// <summary>
/// Evaluates a plan's filter on one row with SQL three-valued logic (null = unknown); a row passes only on true.
/// Comparison with NULL is unknown; NOT unknown is unknown; AND is false if any part is false, OR true if any is true.
/// </summary>
internal sealed class FilterEvaluator
{
    private readonly Dictionary<LikeExpression, LikePattern> _likes = new(ReferenceEqualityComparer.Instance);

    public FilterEvaluator(PlanExpression? filter)
    {
        Filter = filter;
        if (filter is not null)
        {
            CompileLikes(filter);
        }
    }

    public PlanExpression? Filter { get; }

    /// <summary>True when the row passes; <paramref name="value"/> fetches (and, for candidate rows, decrypts) a value on demand.</summary>
    public bool Passes(IRowValues value) => Filter is null || Evaluate(Filter, value) == true;

    private bool? Evaluate(PlanExpression e, IRowValues value)
    {
        switch (e)
        {
            case AndExpression and:
            {
                bool? result = true;
                foreach (PlanExpression part in and.Parts)
                {
                    bool? r = Evaluate(part, value);
                    if (r == false)
                    {
                        return false;
                    }

                    if (r is null)
                    {
                        result = null;
                    }
                }

                return result;
            }

            case OrExpression or:
            {
                bool? result = false;
                foreach (PlanExpression part in or.Parts)
                {
                    bool? r = Evaluate(part, value);
                    if (r == true)
                    {
                        return true;
                    }

                    if (r is null)
                    {
                        result = null;
                    }
                }

                return result;
            }

            case NotExpression not:
                return !Evaluate(not.Operand, value);

            case CompareExpression c:
            {
                object? left = Operand(c.Left, value);
                object? right = Operand(c.Right, value);
                if (left is null || right is null)
                {
                    return null;
                }

                int order = ValueCodec.Compare(left, right);
                return c.Operator switch
                {
                    CompareOperator.Equal => order == 0,
                    CompareOperator.NotEqual => order != 0,
                    CompareOperator.Less => order < 0,
                    CompareOperator.LessOrEqual => order <= 0,
                    CompareOperator.Greater => order > 0,
                    _ => order >= 0,
                };
            }

            case BetweenExpression b:
            {
                object? v = Operand(b.Value, value);
                object? low = Operand(b.Low, value);
                object? high = Operand(b.High, value);
                bool? lowOk = v is null || low is null ? null : ValueCodec.Compare(v, low) >= 0;
                bool? highOk = v is null || high is null ? null : ValueCodec.Compare(v, high) <= 0;
                bool? inside = lowOk == false || highOk == false ? false : (lowOk is null || highOk is null ? null : true);
                return b.Negated ? !inside : inside;
            }

            case InExpression i:
            {
                object? v = Operand(i.Value, value);
                if (v is null)
                {
                    return null;
                }

                bool? found = false;
                foreach (PlanOperand item in i.List)
                {
                    object? candidate = Operand(item, value);
                    if (candidate is null)
                    {
                        found = null;
                    }
                    else if (ValueCodec.Compare(v, candidate) == 0)
                    {
                        found = true;
                        break;
                    }
                }

                return i.Negated ? !found : found;
            }

            case LikeExpression l:
            {
                object? v = Operand(l.Value, value);
                if (v is null)
                {
                    return null;
                }

                if (v is not string text)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, "LIKE applies to text columns only");
                }

                bool match = _likes[l].IsMatch(text);
                return l.Negated ? !match : match;
            }

            case IsNullExpression n:
                return (Operand(n.Value, value) is null) != n.Negated;

            default:
                throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, "an unknown expression");
        }
    }

    private static object? Operand(PlanOperand operand, IRowValues value) => operand switch
    {
        ColumnOperand c => value.Value(c.Index),
        LiteralOperand l => l.Value,
        _ => throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, "an unknown operand"),
    };

    private void CompileLikes(PlanExpression e)
    {
        switch (e)
        {
            case AndExpression and:
                and.Parts.ToList().ForEach(CompileLikes);
                break;
            case OrExpression or:
                or.Parts.ToList().ForEach(CompileLikes);
                break;
            case NotExpression not:
                CompileLikes(not.Operand);
                break;
            case LikeExpression like:
                _likes[like] = new LikePattern(like.Pattern);
                break;
        }
    }
}
