using SecGear.FederatedSql.Sql;

namespace SecGear.FederatedSql.Planning;

/// <summary>Resolves table and column names against the catalog and qualifies every column with its table's alias.</summary>
internal sealed class Binder
{
    private readonly List<(TableReference Reference, TableSchema Schema)> _tables = [];

    public Binder(FederationCatalog catalog, IReadOnlyList<TableReference> from)
    {
        foreach (var reference in from)
        {
            if (!catalog.TryGetTable(reference.Table, out var schema))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.UnknownName, $"the table {reference.Table} is not in the federation's catalog (tables: {string.Join(", ", catalog.Tables.Select(t => t.Name))})");
            }

            if (_tables.Any(t => t.Reference.Alias == reference.Alias))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.UnknownName, $"the name {reference.Alias} is used for two tables in FROM");
            }

            _tables.Add((reference, schema));
        }

        if (_tables.All(t => t.Schema.Distribution == TableDistribution.Replicated))
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, "the query reads only replicated tables; a federated query must read at least one partitioned table");
        }
    }

    public SqlExpr Bind(SqlExpr expression, string clause, bool allowAggregates, bool insideAggregate = false) => expression switch
    {
        ColumnExpr column => Resolve(column),
        LiteralExpr => expression,
        BinaryExpr binary => binary with { Left = Bind(binary.Left, clause, allowAggregates, insideAggregate), Right = Bind(binary.Right, clause, allowAggregates, insideAggregate) },
        UnaryExpr unary => unary with { Operand = Bind(unary.Operand, clause, allowAggregates, insideAggregate) },
        BetweenExpr between => between with
        {
            Value = Bind(between.Value, clause, allowAggregates, insideAggregate),
            Low = Bind(between.Low, clause, allowAggregates, insideAggregate),
            High = Bind(between.High, clause, allowAggregates, insideAggregate),
        },
        InListExpr inList => inList with
        {
            Value = Bind(inList.Value, clause, allowAggregates, insideAggregate),
            Items = inList.Items.Select(i => Bind(i, clause, allowAggregates, insideAggregate)).ToList(),
        },
        LikeExpr like => like with { Value = Bind(like.Value, clause, allowAggregates, insideAggregate), Pattern = Bind(like.Pattern, clause, allowAggregates, insideAggregate) },
        IsNullExpr isNull => isNull with { Value = Bind(isNull.Value, clause, allowAggregates, insideAggregate) },
        AggregateExpr aggregate => BindAggregate(aggregate, clause, allowAggregates, insideAggregate),
        _ => throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"{clause}: unsupported expression"),
    };

    /// <summary>
    /// Two partitioned tables may be joined only on their partition keys (co-partitioned, so each site's join is exact);
    /// replicated tables join freely. Every partitioned table must be linked to the others by such an equality in ON.
    /// </summary>
    public void CheckCoPartitioned(IReadOnlyList<SqlExpr?> joins)
    {
        var partitioned = _tables.Where(t => t.Schema.Distribution == TableDistribution.Partitioned).Select(t => t.Reference.Alias).ToList();
        if (partitioned.Count < 2)
        {
            return;
        }

        var group = partitioned.ToDictionary(a => a, a => a, StringComparer.Ordinal);
        string Find(string alias) => group[alias] == alias ? alias : group[alias] = Find(group[alias]);
        foreach (var condition in joins)
        {
            foreach (var (left, right) in Conjuncts(condition).OfType<BinaryExpr>().Where(b => b.Operator == "=").Select(b => (b.Left, b.Right)))
            {
                if (left is ColumnExpr l && right is ColumnExpr r && IsPartitionKey(l) && IsPartitionKey(r))
                {
                    group[Find(l.Table!)] = Find(r.Table!);
                }
            }
        }

        if (partitioned.Select(Find).Distinct().Count() > 1)
        {
            throw new FederatedSqlException(
                FederatedSqlFailureCode.OutsideSubset,
                $"the partitioned tables {string.Join(", ", partitioned)} must be joined on their partition keys (for example ON l_orderkey = o_orderkey); other joins between partitioned tables are outside the subset");
        }
    }

    private static IEnumerable<SqlExpr> Conjuncts(SqlExpr? expression) => expression switch
    {
        null => [],
        BinaryExpr { Operator: "and" } and => Conjuncts(and.Left).Concat(Conjuncts(and.Right)),
        _ => [expression],
    };

    private bool IsPartitionKey(ColumnExpr column)
    {
        var table = _tables.First(t => t.Reference.Alias == column.Table);
        return table.Schema.Distribution == TableDistribution.Partitioned && table.Schema.PartitionKey == column.Name;
    }

    private AggregateExpr BindAggregate(AggregateExpr aggregate, string clause, bool allowAggregates, bool insideAggregate)
    {
        if (!allowAggregates)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"{clause}: aggregates are not allowed here");
        }

        if (insideAggregate)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"{clause}: aggregates cannot be nested");
        }

        return aggregate.Argument is null ? aggregate : aggregate with { Argument = Bind(aggregate.Argument, clause, allowAggregates, insideAggregate: true) };
    }

    private ColumnExpr Resolve(ColumnExpr column)
    {
        if (column.Table is not null)
        {
            var (reference, schema) = _tables.FirstOrDefault(t => t.Reference.Alias == column.Table);
            if (reference is null)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.UnknownName, $"{column.Table}.{column.Name}: no table is called {column.Table} in FROM");
            }

            return schema.Columns.Contains(column.Name)
                ? column
                : throw new FederatedSqlException(FederatedSqlFailureCode.UnknownName, $"the table {schema.Name} has no column {column.Name}");
        }

        var matches = _tables.Where(t => t.Schema.Columns.Contains(column.Name)).ToList();
        return matches.Count switch
        {
            1 => column with { Table = matches[0].Reference.Alias },
            0 => throw new FederatedSqlException(FederatedSqlFailureCode.UnknownName, $"no table in FROM has a column {column.Name}"),
            _ => throw new FederatedSqlException(FederatedSqlFailureCode.UnknownName, $"the column {column.Name} is ambiguous ({string.Join(", ", matches.Select(m => m.Reference.Alias))}); qualify it"),
        };
    }
}
