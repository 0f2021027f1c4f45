using System.Globalization;
using System.Text;
using SecGear.EncryptedDb.Client.Sql;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// Decides where each part of a SELECT runs and produces the SQL PostgreSQL runs. Direct when PostgreSQL can do it
/// all on ciphertext (predicates on plaintext columns; =, &lt;&gt;, IN and IS NULL on deterministic columns; GROUP BY
/// and equi-joins on deterministic columns; COUNT; SUM/AVG/MIN/MAX and ORDER BY on plaintext columns). Otherwise the
/// WHERE's top-level AND parts that PostgreSQL can evaluate stay in the candidate SQL and the rest, with grouping,
/// aggregates, ordering and LIMIT, goes to the enclave.
/// </summary>
internal sealed class QueryPlanner
{
    private readonly IReadOnlyDictionary<string, TableSchema> _tables;
    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly Func<string, ColumnKey> _key;
    private readonly bool _verifiedAggregates;
    private readonly Dictionary<string, (SqlTableRef Ref, TableSchema Table)> _scope = new(StringComparer.Ordinal);
    private readonly List<SqlTableRef> _order = [];

    public QueryPlanner(IReadOnlyDictionary<string, TableSchema> tables, IReadOnlyDictionary<string, object?> parameters, Func<string, ColumnKey> key, bool verifiedAggregates = false)
    {
        _verifiedAggregates = verifiedAggregates;
        _tables = tables;
        _parameters = parameters;
        _key = key;
    }

    /// <summary>Tables a statement names (to load their keys first).</summary>
    public static IEnumerable<string> TablesOf(SqlSelect select) => [select.From.Table, .. select.Joins.Select(j => j.Table.Table)];

    public PlannedQuery Plan(SqlSelect select)
    {
        AddScope(select.From);
        foreach (SqlJoin join in select.Joins)
        {
            AddScope(join.Table);
        }

        List<SqlSelectItem> items = select.Star
            ? [.. _order.SelectMany(r => _scope[r.Alias].Table.Columns.Select(c => new SqlSelectItem(new SqlColumn(r.Alias, c.Name), null)))]
            : [.. select.Items];
        var names = items.Select(i => i.Alias ?? (i.Expression is SqlColumn c ? c.Name : ((SqlAggregate)i.Expression).Kind switch
        {
            OutputKind.CountStar or OutputKind.Count => "count",
            OutputKind.Sum => "sum",
            OutputKind.Avg => "avg",
            OutputKind.Min => "min",
            _ => "max",
        })).ToList();

        var groupBy = select.GroupBy.Select(Resolve).ToList();
        if (select.Distinct)
        {
            // SELECT DISTINCT a, b is GROUP BY a, b without aggregates: duplicates (NULLs equal) collapse to one row.
            if (groupBy.Count > 0 || select.Having is not null || items.Any(i => i.Expression is SqlAggregate))
            {
                throw Unsupported("DISTINCT together with aggregates, GROUP BY or HAVING");
            }

            groupBy = [.. items.Select(i => Resolve((SqlColumn)i.Expression)).Distinct()];
        }

        bool aggregates = groupBy.Count > 0 || items.Any(i => i.Expression is SqlAggregate) || select.Having is not null;
        if (select.Having is not null)
        {
            foreach (SqlExpression operand in OperandsOf(select.Having))
            {
                if (operand is SqlColumn column && !groupBy.Contains(Resolve(column)))
                {
                    throw Invalid($"'{column}' in HAVING must appear in GROUP BY or be used in an aggregate");
                }

                if (operand is SqlAggregate { Kind: OutputKind.Sum or OutputKind.Avg, Column: { } c } && Resolve(c).Column.Type is not (DbValueType.Int64 or DbValueType.Numeric))
                {
                    throw Invalid($"SUM and AVG need a bigint or numeric column, not '{c}'");
                }
            }
        }
        if (aggregates)
        {
            foreach (SqlSelectItem item in items)
            {
                if (item.Expression is SqlColumn column && !groupBy.Contains(Resolve(column)))
                {
                    throw Invalid($"'{column}' must appear in GROUP BY or be used in an aggregate");
                }
            }
        }

        foreach (SqlSelectItem item in items)
        {
            if (item.Expression is SqlAggregate { Kind: OutputKind.Sum or OutputKind.Avg, Column: { } c } && Resolve(c).Column.Type is not (DbValueType.Int64 or DbValueType.Numeric))
            {
                throw Invalid($"SUM and AVG need a bigint or numeric column, not '{c}'");
            }
        }

        List<(int Output, bool Descending)> order = [.. select.OrderBy.Select(o => (OrderOutput(o, items, names), o.Descending))];
        foreach (SqlJoin join in select.Joins)
        {
            if (!CanPush(new SqlCompare(CompareOperator.Equal, join.Left, join.Right)))
            {
                throw Unsupported($"the join on {join.Left} = {join.Right}: joins must be on plaintext columns or on deterministic columns of one equality domain and key");
            }
        }

        bool direct = items.All(i => i.Expression switch
            {
                SqlColumn => true,
                SqlAggregate { Kind: OutputKind.CountStar or OutputKind.Count } => true,
                SqlAggregate a => Resolve(a.Column!).Column.Encryption == EncryptionType.Plain,
                _ => false,
            })
            && groupBy.All(g => g.Column.EqualityInDatabase)
            && (select.Where is null || CanPush(select.Where))
            && (select.Having is null || OperandsOf(select.Having).All(o => o switch
            {
                SqlColumn c => Resolve(c).Column.Encryption == EncryptionType.Plain,
                SqlAggregate { Kind: OutputKind.CountStar or OutputKind.Count } => true,
                SqlAggregate a => Resolve(a.Column!).Column.Encryption == EncryptionType.Plain,
                _ => true,
            }))
            && order.All(o => items[o.Output].Expression switch
            {
                SqlColumn c => Resolve(c).Column.Encryption == EncryptionType.Plain,
                SqlAggregate { Kind: OutputKind.CountStar or OutputKind.Count } => true,
                SqlAggregate a => Resolve(a.Column!).Column.Encryption == EncryptionType.Plain,
                _ => false,
            });

        // PostgreSQL aggregating alone returns no rows to check row tags on; with VerifiedAggregates such a query goes
        // through the enclave when it reads or compares a deterministic column, and the enclave checks every row's tags.
        if (direct && aggregates && _verifiedAggregates && ReadsTaggedColumn(select))
        {
            direct = false;
        }

        var keyNames = _order.SelectMany(r => _scope[r.Alias].Table.Columns).Where(c => c.KeyName is not null).Select(c => c.KeyName!).Distinct().ToList();
        return direct
            ? PlanDirect(select, items, names, groupBy, order, keyNames, aggregates)
            : PlanEnclave(select, items, names, groupBy, order);
    }

    /// <summary>
    /// Plans how UPDATE and DELETE find their rows: <c>SELECT row_id FROM table WHERE condition</c>, direct (the WHERE
    /// runs in PostgreSQL) or through the enclave (the enclave returns the row ids of the rows that match).
    /// </summary>
    public PlannedQuery PlanMatch(TableSchema table, SqlExpression? where) =>
        Plan(new SqlSelect([new SqlSelectItem(new SqlColumn(null, table.RowIdColumn), null)], false, new SqlTableRef(table.Name, table.Name), [], where, [], [], null));

    private DirectQuery PlanDirect(SqlSelect select, List<SqlSelectItem> items, List<string> names, List<Resolved> groupBy, List<(int Output, bool Descending)> order, List<string> keyNames, bool aggregates)
    {
        var sql = new StringBuilder("SELECT ");
        var parameters = new List<object>();
        var outputs = new List<string>();
        var hidden = new List<string>();
        var decoders = new List<OutputDecoder>();
        foreach (SqlSelectItem item in items)
        {
            if (item.Expression is SqlColumn column)
            {
                Resolved r = Resolve(column);
                int rowId = -1;
                if (r.Column.Encryption == EncryptionType.Randomized)
                {
                    rowId = items.Count + hidden.Count;
                    hidden.Add(Qualified(r.Ref, r.Table.RowIdColumn));
                    hidden.Add(Qualified(r.Ref, RowReference.VersionColumn));
                }

                decoders.Add(new OutputDecoder(outputs.Count, r.Column, rowId));
                outputs.Add(Qualified(r));
            }
            else
            {
                var a = (SqlAggregate)item.Expression;
                decoders.Add(new OutputDecoder(outputs.Count, null, -1));
                outputs.Add(a.Kind == OutputKind.CountStar ? "count(*)" : $"{a.Kind.ToString().ToLowerInvariant()}({Qualified(Resolve(a.Column!))})");
            }
        }

        // Row tags: without aggregation every row comes back, so the client checks the tag of each deterministic cell
        // the query returns or compares (a DBA-swapped cell cannot be returned or make a row match unnoticed).
        var checks = new List<RowTagCheck>();
        if (!aggregates)
        {
            int Hidden(string expression)
            {
                int found = hidden.IndexOf(expression);
                if (found < 0)
                {
                    hidden.Add(expression);
                    found = hidden.Count - 1;
                }

                return items.Count + found;
            }

            IEnumerable<SqlColumn> referenced = items.Select(i => i.Expression).OfType<SqlColumn>()
                .Concat(select.Where is null ? [] : OperandsOf(select.Where).OfType<SqlColumn>())
                .Concat(select.Joins.SelectMany(j => new[] { j.Left, j.Right }));
            foreach (Resolved r in referenced.Select(Resolve).Distinct())
            {
                if (!r.Table.Tagged(r.Column))
                {
                    continue;
                }

                int output = items.FindIndex(i => i.Expression is SqlColumn c && Resolve(c) == r);
                int cell = output >= 0 ? output : Hidden(Qualified(r));
                checks.Add(new RowTagCheck(cell, Hidden(Qualified(r.Ref, r.Table.RowIdColumn)), Hidden(Qualified(r.Ref, RowReference.VersionColumn)), Hidden(Qualified(r.Ref, TableSchema.TagsColumn)), r.Column, r.Table.TagSlot(r.Column)));
            }
        }

        sql.AppendJoin(", ", outputs.Concat(hidden));
        AppendFrom(sql, select);
        string? whereSql = null;
        if (select.Where is not null)
        {
            whereSql = Render(select.Where, parameters);
            sql.Append(" WHERE ").Append(whereSql);
        }

        if (groupBy.Count > 0)
        {
            sql.Append(" GROUP BY ").AppendJoin(", ", groupBy.Select(Qualified));
        }

        if (select.Having is not null)
        {
            sql.Append(" HAVING ").Append(Render(select.Having, parameters));
        }

        if (order.Count > 0)
        {
            sql.Append(" ORDER BY ").AppendJoin(", ", order.Select(o => $"{(o.Output + 1).ToString(CultureInfo.InvariantCulture)}{(o.Descending ? " DESC" : "")}"));
        }

        if (select.Limit is long limit)
        {
            sql.Append(" LIMIT ").Append(limit.ToString(CultureInfo.InvariantCulture));
        }

        return new DirectQuery { Sql = sql.ToString(), Parameters = parameters, Decoders = decoders, ColumnNames = names, KeyNames = keyNames, WhereSql = whereSql, TagChecks = checks };
    }

    private EnclaveQuery PlanEnclave(SqlSelect select, List<SqlSelectItem> items, List<string> names, List<Resolved> groupBy, List<(int Output, bool Descending)> order)
    {
        var candidates = new List<Resolved>();
        var planColumns = new List<PlanColumn>();
        int Candidate(Resolved r)
        {
            int found = candidates.IndexOf(r);
            if (found >= 0)
            {
                return found;
            }

            int rowId = -1;
            int tags = -1;
            int version = -1;
            if (r.Column.Encryption == EncryptionType.Randomized || r.Table.Tagged(r.Column))
            {
                rowId = Candidate(new Resolved(r.Ref, r.Table, r.Table.RowId));
                version = Candidate(new Resolved(r.Ref, r.Table, VersionSchema(r.Table)));
            }

            if (r.Table.Tagged(r.Column))
            {
                tags = Candidate(new Resolved(r.Ref, r.Table, TagsSchema(r.Table)));
            }

            candidates.Add(r);
            planColumns.Add(new PlanColumn(r.Column.Type, r.Column.Encryption, r.Column.KeyName ?? string.Empty, r.Column.Table, r.Column.Name, r.Column.Domain, rowId, tags,
                tags >= 0 ? r.Table.TagSlot(r.Column) : 0, version));
            return candidates.Count - 1;
        }

        var pushed = new List<SqlExpression>();
        var filters = new List<PlanExpression>();
        IEnumerable<SqlExpression> conjuncts = select.Where switch
        {
            null => [],
            SqlAnd and => and.Parts,
            _ => [select.Where],
        };
        foreach (SqlExpression part in conjuncts)
        {
            if (CanPush(part))
            {
                pushed.Add(part);

                // The enclave checks the row tags of deterministic cells PostgreSQL compared, for every row it keeps.
                foreach (Resolved r in OperandsOf(part).OfType<SqlColumn>().Select(Resolve).Where(r => r.Table.Tagged(r.Column)))
                {
                    Candidate(r);
                }
            }
            else
            {
                filters.Add(ToPlan(part, x => Candidate(Resolve((SqlColumn)x))));
            }
        }

        var outputs = items.Select(i => i.Expression switch
        {
            SqlColumn c => new PlanOutput(OutputKind.Column, Candidate(Resolve(c))),
            SqlAggregate { Kind: OutputKind.CountStar } => new PlanOutput(OutputKind.CountStar, -1),
            SqlAggregate a => new PlanOutput(a.Kind, Candidate(Resolve(a.Column!))),
            _ => throw Unsupported("a select item"),
        }).ToList();
        var groupIndexes = groupBy.Select(Candidate).ToList();
        PlanExpression? having = null;
        if (select.Having is not null)
        {
            // HAVING reads the group's result row: each aggregate or group column it names is an output, appended
            // (and dropped by the client) when the select list does not have it.
            int OutputOf(SqlExpression e)
            {
                PlanOutput wanted = e switch
                {
                    SqlColumn c => new PlanOutput(OutputKind.Column, Candidate(Resolve(c))),
                    SqlAggregate { Kind: OutputKind.CountStar } => new PlanOutput(OutputKind.CountStar, -1),
                    SqlAggregate a => new PlanOutput(a.Kind, Candidate(Resolve(a.Column!))),
                    _ => throw Unsupported("a HAVING operand"),
                };
                int found = outputs.IndexOf(wanted);
                if (found >= 0)
                {
                    return found;
                }

                if (outputs.Count >= QueryPlan.MaxOutputs)
                {
                    throw Unsupported($"more than {QueryPlan.MaxOutputs} outputs and HAVING aggregates");
                }

                outputs.Add(wanted);
                return outputs.Count - 1;
            }

            having = ToPlan(select.Having, OutputOf);
        }

        if (candidates.Count == 0)
        {
            Candidate(new Resolved(select.From, _scope[select.From.Alias].Table, _scope[select.From.Alias].Table.RowId));
        }

        var from = new StringBuilder();
        AppendFrom(from, select);
        if (pushed.Count > 0)
        {
            from.Append(" WHERE ").AppendJoin(" AND ", pushed.Select(p => Render(p, null)));
        }

        var sql = new StringBuilder("SELECT ");
        sql.AppendJoin(", ", candidates.Select(Qualified)).Append(from);

        PlanExpression? filter = filters.Count switch
        {
            0 => null,
            1 => filters[0],
            _ => new AndExpression(filters),
        };
        var keyNames = planColumns.Where(c => c.Encryption != EncryptionType.Plain).Select(c => c.KeyName).Distinct().ToList();
        long limit = select.Limit ?? -1;
        return new EnclaveQuery
        {
            CandidateSql = sql.ToString(),
            CandidateFrom = from.ToString(),
            ColumnNames = names,
            KeyNames = keyNames,
            Plan = (id, key) => new QueryPlan
            {
                QueryId = id,
                ResultKey = key,
                Columns = planColumns,
                Filter = filter,
                GroupBy = groupIndexes,
                Outputs = outputs,
                OrderBy = [.. order.Select(o => new PlanOrder(o.Output, o.Descending))],
                Limit = limit,
                Having = having,
            },
        };
    }

    private void AppendFrom(StringBuilder sql, SqlSelect select)
    {
        sql.Append(" FROM ").Append(select.From.Table).Append(' ').Append(select.From.Alias);
        foreach (SqlJoin join in select.Joins)
        {
            sql.Append(" JOIN ").Append(join.Table.Table).Append(' ').Append(join.Table.Alias)
                .Append(" ON ").Append(Qualified(Resolve(join.Left))).Append(" = ").Append(Qualified(Resolve(join.Right)));
        }
    }

    // Can PostgreSQL evaluate this on the stored bytes?
    private bool CanPush(SqlExpression e) => e switch
    {
        SqlAnd and => and.Parts.All(CanPush),
        SqlOr or => or.Parts.All(CanPush),
        SqlNot not => CanPush(not.Operand),
        SqlIsNull n => n.Value is not SqlColumn || Resolve((SqlColumn)n.Value) is not null,
        SqlCompare { Left: SqlColumn l, Right: SqlColumn r } c => (Resolve(l).Column, Resolve(r).Column) switch
        {
            ({ Encryption: EncryptionType.Plain }, { Encryption: EncryptionType.Plain }) => true,
            ({ Encryption: EncryptionType.Deterministic } a, { Encryption: EncryptionType.Deterministic } b) =>
                c.Operator is CompareOperator.Equal or CompareOperator.NotEqual && a.EqualityDomain == b.EqualityDomain && a.Type == b.Type,
            _ => false,
        },
        SqlCompare { Left: SqlColumn l } c => ColumnAllows(l, c.Operator is CompareOperator.Equal or CompareOperator.NotEqual),
        SqlCompare { Right: SqlColumn r } c => ColumnAllows(r, c.Operator is CompareOperator.Equal or CompareOperator.NotEqual),
        SqlCompare => true,
        SqlIn i => i.Value is not SqlColumn col || ColumnAllows(col, equality: true),
        SqlBetween b => new[] { b.Value, b.Low, b.High }.OfType<SqlColumn>().All(c => Resolve(c).Column.Encryption == EncryptionType.Plain),
        SqlLike l => l.Value is not SqlColumn col || Resolve(col).Column.Encryption == EncryptionType.Plain,
        _ => false,
    };

    private bool ColumnAllows(SqlColumn column, bool equality) => Resolve(column).Column.Encryption switch
    {
        EncryptionType.Plain => true,
        EncryptionType.Deterministic => equality,
        _ => false,
    };

    // Renders a pushable predicate: parameters ($n) when a list is given (direct), inline literals otherwise (candidate SQL).
    private string Render(SqlExpression e, List<object>? parameters)
    {
        switch (e)
        {
            case SqlAnd and:
                return "(" + string.Join(" AND ", and.Parts.Select(p => Render(p, parameters))) + ")";
            case SqlOr or:
                return "(" + string.Join(" OR ", or.Parts.Select(p => Render(p, parameters))) + ")";
            case SqlNot not:
                return "(NOT " + Render(not.Operand, parameters) + ")";
            case SqlIsNull n:
                return $"({Operand(n.Value, null, parameters)} IS {(n.Negated ? "NOT " : "")}NULL)";
            case SqlCompare c:
            {
                ColumnSchema? context = ContextOf(c.Left, c.Right);
                return $"({Operand(c.Left, context, parameters)} {Symbol(c.Operator)} {Operand(c.Right, context, parameters)})";
            }

            case SqlIn i:
            {
                ColumnSchema? context = ContextOf(i.Value, null);
                return $"({Operand(i.Value, context, parameters)} {(i.Negated ? "NOT " : "")}IN ({string.Join(", ", i.Items.Select(x => Operand(x, context, parameters)))}))";
            }

            case SqlBetween b:
            {
                ColumnSchema? context = ContextOf(b.Value, b.Low) ?? ContextOf(b.High, null);
                return $"({Operand(b.Value, context, parameters)} {(b.Negated ? "NOT " : "")}BETWEEN {Operand(b.Low, context, parameters)} AND {Operand(b.High, context, parameters)})";
            }

            case SqlLike l:
                return $"({Operand(l.Value, null, parameters)} {(l.Negated ? "NOT " : "")}LIKE {Operand(l.Pattern, null, parameters)})";
            default:
                throw Unsupported("a condition");
        }
    }

    private ColumnSchema? ContextOf(SqlExpression a, SqlExpression? b) => ContextOf(a) ?? (b is null ? null : ContextOf(b));

    // The column whose type a literal compared with this operand takes: MIN/MAX have their column's type; COUNT,
    // SUM and AVG are numbers, compared as such.
    private ColumnSchema? ContextOf(SqlExpression e) => e switch
    {
        SqlColumn c => Resolve(c).Column,
        SqlAggregate { Kind: OutputKind.Min or OutputKind.Max, Column: { } c } => Resolve(c).Column,
        _ => null,
    };

    private string Operand(SqlExpression e, ColumnSchema? context, List<object>? parameters)
    {
        if (e is SqlColumn column)
        {
            return Qualified(Resolve(column));
        }

        if (e is SqlAggregate aggregate)
        {
            return aggregate.Kind == OutputKind.CountStar ? "count(*)" : $"{aggregate.Kind.ToString().ToLowerInvariant()}({Qualified(Resolve(aggregate.Column!))})";
        }

        object? value = Coerce(ValueOf(e), context);
        if (value is null)
        {
            return "NULL";
        }

        object stored = value;
        if (context is { Encryption: EncryptionType.Deterministic })
        {
            stored = _key(context.KeyName!).Encrypt(ValueCodec.Encode(value), context.Binding(), default);
        }

        if (parameters is not null)
        {
            parameters.Add(stored);
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }

        return stored switch
        {
            byte[] bytes => $"'\\x{Convert.ToHexStringLower(bytes)}'::bytea",
            long l => l.ToString(CultureInfo.InvariantCulture),
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
            DateOnly date => $"DATE '{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'",
            _ => throw Invalid($"a value of type {stored.GetType().Name}"),
        };
    }

    // index maps a column (WHERE: a candidate column) or an aggregate (HAVING: an output) to its operand index.
    private PlanExpression ToPlan(SqlExpression e, Func<SqlExpression, int> index)
    {
        PlanOperand Op(SqlExpression x, ColumnSchema? context) => x is SqlColumn or SqlAggregate
            ? new ColumnOperand(index(x))
            : new LiteralOperand(Coerce(ValueOf(x), context));

        switch (e)
        {
            case SqlAnd and:
                return new AndExpression([.. and.Parts.Select(p => ToPlan(p, index))]);
            case SqlOr or:
                return new OrExpression([.. or.Parts.Select(p => ToPlan(p, index))]);
            case SqlNot not:
                return new NotExpression(ToPlan(not.Operand, index));
            case SqlIsNull n:
                return new IsNullExpression(Op(n.Value, null), n.Negated);
            case SqlCompare c:
            {
                ColumnSchema? context = ContextOf(c.Left, c.Right);
                return new CompareExpression(c.Operator, Op(c.Left, context), Op(c.Right, context));
            }

            case SqlIn i:
            {
                ColumnSchema? context = ContextOf(i.Value, null);
                if (i.Items.Count > QueryPlan.MaxListItems)
                {
                    throw Unsupported($"an IN list of more than {QueryPlan.MaxListItems} items");
                }

                return new InExpression(Op(i.Value, context), [.. i.Items.Select(x => Op(x, context))], i.Negated);
            }

            case SqlBetween b:
            {
                ColumnSchema? context = ContextOf(b.Value, b.Low) ?? ContextOf(b.High, null);
                return new BetweenExpression(Op(b.Value, context), Op(b.Low, context), Op(b.High, context), b.Negated);
            }

            case SqlLike l:
            {
                if (l.Value is SqlColumn col && Resolve(col).Column.Type != DbValueType.Text)
                {
                    throw Invalid($"LIKE needs a text column, not '{col}'");
                }

                return ValueOf(l.Pattern) is string pattern
                    ? new LikeExpression(Op(l.Value, null), pattern, l.Negated)
                    : throw Invalid("a LIKE pattern must be a string");
            }

            default:
                throw Unsupported("a condition");
        }
    }

    private object? ValueOf(SqlExpression e) => e switch
    {
        SqlLiteral l => l.Value,
        SqlParameter p => _parameters.TryGetValue(p.Name, out object? v) ? v : throw Invalid($"no value for parameter @{p.Name}"),
        _ => throw Unsupported("a value"),
    };

    /// <summary>Converts a value to the type of the column it is compared with (never silently changes its meaning).</summary>
    public static object? Coerce(object? value, ColumnSchema? context)
    {
        value = value switch
        {
            int i => (long)i,
            short s => (long)s,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => value,
        };
        if (value is null || context is null)
        {
            return value;
        }

        return (context.Type, value) switch
        {
            (DbValueType.Int64, long) => value,
            (DbValueType.Int64, decimal d) when decimal.Truncate(d) == d && d >= long.MinValue && d <= long.MaxValue => (long)d,
            (DbValueType.Int64, decimal) => value,
            (DbValueType.Numeric, decimal) => value,
            (DbValueType.Numeric, long l) => (decimal)l,
            (DbValueType.Text, string) => value,
            (DbValueType.Date, DateOnly) => value,
            (DbValueType.Date, string s) when DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly d) => d,
            _ => throw Invalid($"a {value.GetType().Name} value compared with {context.Table}.{context.Name} ({context.Type})"),
        };
    }

    private int OrderOutput(SqlOrderItem item, List<SqlSelectItem> items, List<string> names)
    {
        if (item.Expression is null)
        {
            return item.Position >= 1 && item.Position <= items.Count ? item.Position - 1 : throw Invalid($"ORDER BY position {item.Position} (the select list has {items.Count} items)");
        }

        if (item.Expression is SqlColumn { Qualifier: null } alias)
        {
            int byName = items.FindIndex(i => i.Alias == alias.Name);
            if (byName >= 0)
            {
                return byName;
            }
        }

        for (int i = 0; i < items.Count; i++)
        {
            bool same = (item.Expression, items[i].Expression) switch
            {
                (SqlColumn a, SqlColumn b) => Resolve(a) == Resolve(b),
                (SqlAggregate a, SqlAggregate b) => a.Kind == b.Kind && (a.Column is null ? b.Column is null : b.Column is not null && Resolve(a.Column) == Resolve(b.Column)),
                _ => false,
            };
            if (same)
            {
                return i;
            }
        }

        throw Unsupported($"ORDER BY a key that is not in the select list ({names.Count} items); add it to the select list");
    }

    private void AddScope(SqlTableRef table)
    {
        if (!_tables.TryGetValue(table.Table, out TableSchema? schema))
        {
            throw Invalid($"no encrypted-database table '{table.Table}' (tables are created with EncryptedDbConnection.CreateTableAsync)");
        }

        if (!_scope.TryAdd(table.Alias, (table, schema)))
        {
            throw Invalid($"the table name or alias '{table.Alias}' is used twice");
        }

        _order.Add(table);
    }

    private Resolved Resolve(SqlColumn column)
    {
        if (column.Qualifier is not null)
        {
            if (!_scope.TryGetValue(column.Qualifier, out var scoped))
            {
                throw Invalid($"no table or alias '{column.Qualifier}' in FROM");
            }

            return new Resolved(scoped.Ref, scoped.Table, scoped.Table.Find(column.Name) ?? throw Invalid($"no column '{column.Name}' in table '{scoped.Table.Name}'"));
        }

        var matches = _order.Select(r => (r, _scope[r.Alias].Table)).Where(t => t.Table.Find(column.Name) is not null).ToList();
        return matches.Count switch
        {
            1 => new Resolved(matches[0].r, matches[0].Table, matches[0].Table.Find(column.Name)!),
            0 => throw Invalid($"no column '{column.Name}' in the tables of FROM"),
            _ => throw Invalid($"the column name '{column.Name}' is ambiguous; qualify it"),
        };
    }

    /// <summary>The operands (columns, aggregates, values) of a condition, depth first.</summary>
    private static IEnumerable<SqlExpression> OperandsOf(SqlExpression e) => e switch
    {
        SqlAnd and => and.Parts.SelectMany(OperandsOf),
        SqlOr or => or.Parts.SelectMany(OperandsOf),
        SqlNot not => OperandsOf(not.Operand),
        SqlCompare c => [c.Left, c.Right],
        SqlBetween b => [b.Value, b.Low, b.High],
        SqlIn i => [i.Value, .. i.Items],
        SqlLike l => [l.Value, l.Pattern],
        SqlIsNull n => [n.Value],
        _ => [e],
    };

    // The hidden encdb_tags column as a candidate column: its bytes travel as stored and only row-tag checks read them.
    private bool ReadsTaggedColumn(SqlSelect select) =>
        select.Items.Select(i => i.Expression).SelectMany(e => e switch
        {
            SqlColumn c => [c],
            SqlAggregate { Column: { } c } => [c],
            _ => Array.Empty<SqlColumn>(),
        })
        .Concat(select.Where is null ? [] : OperandsOf(select.Where).OfType<SqlColumn>())
        .Concat(select.Having is null ? [] : OperandsOf(select.Having).SelectMany(o => o switch
        {
            SqlColumn c => [c],
            SqlAggregate { Column: { } c } => [c],
            _ => Array.Empty<SqlColumn>(),
        }))
        .Concat(select.GroupBy)
        .Concat(select.Joins.SelectMany(j => new[] { j.Left, j.Right }))
        .Select(Resolve)
        .Any(r => r.Table.Tagged(r.Column));

    private static ColumnSchema VersionSchema(TableSchema table) => new(table.Name, RowReference.VersionColumn, DbValueType.Int64, EncryptionType.Plain, null, null);

    private static ColumnSchema TagsSchema(TableSchema table) => new(table.Name, TableSchema.TagsColumn, DbValueType.Text, EncryptionType.Plain, null, null);

    private static string Qualified(Resolved r) => Qualified(r.Ref, r.Column.Name);

    private static string Qualified(SqlTableRef r, string column) => $"{r.Alias}.{column}";

    private static string Symbol(CompareOperator op) => op switch
    {
        CompareOperator.Equal => "=",
        CompareOperator.NotEqual => "<>",
        CompareOperator.Less => "<",
        CompareOperator.LessOrEqual => "<=",
        CompareOperator.Greater => ">",
        _ => ">=",
    };

    private static EncryptedDbException Invalid(string what) => new(EncryptedDbFailureCode.InvalidQuery, $"invalid query: {what}");

    private static EncryptedDbException Unsupported(string what) => new(EncryptedDbFailureCode.UnsupportedSql, $"SQL outside the supported subset: {what} (docs/encrypted-db.md, \"SQL subset\")");

    private sealed record Resolved(SqlTableRef Ref, TableSchema Table, ColumnSchema Column);
}
