using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.Results;

/// <summary>
/// Merges the partial rows of every site into groups (inside the enclave), then applies HAVING, the disclosure policy
/// (groups with fewer than k contributing rows are withheld), the final expressions, ORDER BY and LIMIT.
/// </summary>
public sealed class GroupMerger
{
    /// <summary>The most groups one query may hold (a limit on enclave memory).</summary>
    public const int DefaultMaxGroups = 20_000_000;

    private readonly QueryPlan _plan;
    private readonly Dictionary<GroupKey, MergedGroup> _groups = [];
    private readonly int _maxGroups;

    /// <summary>Creates an empty merge for <paramref name="plan"/>.</summary>
    public GroupMerger(QueryPlan plan, int maxGroups = DefaultMaxGroups)
    {
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        _maxGroups = maxGroups;
    }

    /// <summary>Groups merged so far.</summary>
    public int GroupCount => _groups.Count;

    /// <summary>Partial rows merged so far.</summary>
    public long PartialRows { get; private set; }

    /// <summary>Reads <paramref name="rowCount"/> partial rows from <paramref name="reader"/> and merges them.</summary>
    public void AddRows(ref RowReader reader, uint rowCount)
    {
        int keyCount = _plan.Keys.Count;
        bool distinct = _plan.DistinctArgument is not null;
        var partials = _plan.Partials;
        for (uint r = 0; r < rowCount; r++)
        {
            var keyValues = new object?[keyCount];
            for (int i = 0; i < keyCount; i++)
            {
                keyValues[i] = reader.ReadValue();
            }

            object? distinctValue = distinct ? reader.ReadValue() : null;
            var key = new GroupKey(keyValues);
            if (!_groups.TryGetValue(key, out var group))
            {
                if (_groups.Count >= _maxGroups)
                {
                    throw new FederatedSqlException(FederatedSqlFailureCode.PartialResultRejected, $"the query has more than {_maxGroups} groups, the enclave's limit");
                }

                group = new MergedGroup(keyValues, partials.Count);
                group.Partials[0] = 0L;
                _groups.Add(key, group);
            }

            if (distinct && distinctValue is not null)
            {
                (group.Distinct ??= []).Add(distinctValue);
            }

            for (int p = 0; p < partials.Count; p++)
            {
                Merge(group, p, partials[p].Kind, reader.ReadValue());
            }

            PartialRows++;
        }
    }

    /// <summary>
    /// Applies HAVING, the disclosure policy, the final expressions, ORDER BY and LIMIT. With ORDER BY and LIMIT n only
    /// the n best groups are kept while the groups are scanned (a bounded heap), so a 10 M-group merge does not hold a
    /// second, sorted copy of every group; ties in ORDER BY keep the order in which groups were first merged.
    /// </summary>
    public QueryResult Finish()
    {
        var having = _plan.Having is null ? null : GroupExpression.Compile(_plan.Having, _plan);
        var outputs = _plan.Outputs.Select(o => GroupExpression.Compile(o.Expression, _plan)).ToArray();
        var orderKeys = _plan.OrderBy.Select(o => GroupExpression.Compile(o.Expression, _plan)).ToArray();
        var descending = _plan.OrderBy.Select(o => o.Descending).ToArray();
        int compare((object?[] Order, long Seq) a, (object?[] Order, long Seq) b)
        {
            int order = CompareOrder(a.Order, b.Order, descending);
            return order != 0 ? order : a.Seq.CompareTo(b.Seq);
        }

        int? keep = orderKeys.Length > 0 && _plan.Limit is { } limit ? (int)Math.Min(limit, int.MaxValue) : null;
        var best = new PriorityQueue<MergedGroup, (object?[] Order, long Seq)>(Comparer<(object?[] Order, long Seq)>.Create((a, b) => compare(b, a)));
        var kept = new List<(MergedGroup Group, (object?[] Order, long Seq) Key)>();
        long suppressed = 0, seq = 0;
        foreach (var group in _groups.Values)
        {
            // The disclosure policy comes before everything else that looks at a group's values.
            if (group.Rows < _plan.MinGroupRows)
            {
                suppressed++;
                continue;
            }

            if (having is not null && having(group) is not true)
            {
                continue;
            }

            var key = (orderKeys.Select(o => o(group)).ToArray(), seq++);
            if (keep is not { } n)
            {
                kept.Add((group, key));
            }
            else if (best.Count < n)
            {
                best.Enqueue(group, key);
            }
            else if (n > 0 && best.TryPeek(out _, out var worst) && compare(key, worst) < 0)
            {
                best.DequeueEnqueue(group, key);
            }
        }

        kept.AddRange(best.UnorderedItems.Select(i => (i.Element, i.Priority)));
        if (orderKeys.Length > 0)
        {
            kept.Sort((a, b) => compare(a.Key, b.Key));
        }

        IEnumerable<MergedGroup> groups = kept.Select(k => k.Group);
        if (_plan.Limit is { } take)
        {
            groups = groups.Take((int)Math.Min(take, int.MaxValue));
        }

        var rows = groups.Select(g => outputs.Select(o => o(g)).ToArray()).ToList();
        return new QueryResult(_plan.Outputs.Select(o => o.Name).ToList(), rows, suppressed);
    }

    private static int CompareOrder(object?[] a, object?[] b, bool[] descending)
    {
        for (int i = 0; i < a.Length; i++)
        {
            int order = (a[i], b[i]) switch
            {
                (null, null) => 0,
                (null, _) => 1,
                (_, null) => -1,
                var (x, y) => descending[i] ? -SqlValues.Compare(x!, y!) : SqlValues.Compare(x!, y!),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }

    private static void Merge(MergedGroup group, int index, PartialKind kind, object? value)
    {
        switch (kind)
        {
            case PartialKind.CountRows or PartialKind.Count:
                if (value is not long count || count < 0)
                {
                    throw new FederatedSqlException(FederatedSqlFailureCode.PartialResultRejected, $"a partial COUNT is a {SqlValues.Kind(value)}, expected a non-negative BIGINT");
                }

                group.Partials[index] = checked((group.Partials[index] as long? ?? 0) + count);
                break;
            case PartialKind.Sum:
                if (value is null)
                {
                    return;
                }

                if (!SqlValues.IsNumber(value))
                {
                    throw new FederatedSqlException(FederatedSqlFailureCode.PartialResultRejected, $"a partial SUM is a {SqlValues.Kind(value)}, expected a number");
                }

                group.Partials[index] = group.Partials[index] is { } sum ? SqlValues.Add(sum, value) : value;
                break;
            case PartialKind.Min:
                if (value is not null && (group.Partials[index] is not { } min || SqlValues.Compare(value, min) < 0))
                {
                    group.Partials[index] = value;
                }

                break;
            case PartialKind.Max:
                if (value is not null && (group.Partials[index] is not { } max || SqlValues.Compare(value, max) > 0))
                {
                    group.Partials[index] = value;
                }

                break;
        }
    }
}
