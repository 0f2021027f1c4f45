using System.Security.Cryptography;

namespace SecGear.EncryptedDb;

/// <summary>
/// What the enclave does with the candidate rows of one query: the candidate row layout, the filter (the predicates
/// PostgreSQL cannot evaluate on ciphertext), grouping, outputs, ordering and limit, plus the fresh key that seals the
/// result for the client. It travels client to enclave inside the attested secure channel only; the query service
/// sees the query id alone. Wire layout: docs/encrypted-db.md, "Plans".
/// </summary>
public sealed class QueryPlan
{
    /// <summary>Most candidate columns.</summary>
    public const int MaxColumns = 128;

    /// <summary>Most outputs, group keys or order keys.</summary>
    public const int MaxOutputs = 64;

    /// <summary>Deepest filter expression.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most items of one IN list or AND/OR.</summary>
    public const int MaxListItems = 4096;

    /// <summary>Length of a query id.</summary>
    public const int QueryIdLength = 16;

    private const byte Version = 3;

    /// <summary>Random id naming the query to the enclave and the service.</summary>
    public required byte[] QueryId { get; init; }

    /// <summary>AES-256-GCM key that seals this query's result (fresh per query).</summary>
    public required byte[] ResultKey { get; init; }

    /// <summary>Candidate row layout.</summary>
    public required IReadOnlyList<PlanColumn> Columns { get; init; }

    /// <summary>Rows pass when this is true (null: all rows pass).</summary>
    public PlanExpression? Filter { get; init; }

    /// <summary>GROUP BY candidate columns (empty: no grouping).</summary>
    public IReadOnlyList<int> GroupBy { get; init; } = [];

    /// <summary>Output columns.</summary>
    public required IReadOnlyList<PlanOutput> Outputs { get; init; }

    /// <summary>ORDER BY keys.</summary>
    public IReadOnlyList<PlanOrder> OrderBy { get; init; } = [];

    /// <summary>LIMIT, or -1.</summary>
    public long Limit { get; init; } = -1;

    /// <summary>
    /// HAVING: groups pass when this is true. Its column operands index <see cref="Outputs"/> (the group's result row),
    /// not candidate columns; outputs the client did not ask for are appended for it and dropped by the client.
    /// </summary>
    public PlanExpression? Having { get; init; }

    /// <summary>True when the outputs aggregate (with or without GROUP BY).</summary>
    public bool Aggregates => GroupBy.Count > 0 || Outputs.Any(o => o.IsAggregate) || Having is not null;

    /// <summary>A fresh query id and result key.</summary>
    public static (byte[] QueryId, byte[] ResultKey) NewIdentity() => (RandomNumberGenerator.GetBytes(QueryIdLength), RandomNumberGenerator.GetBytes(32));

    /// <summary>Encodes the plan.</summary>
    public byte[] Serialize()
    {
        var w = new BigEndianWriter();
        w.U8(Version);
        w.Raw(QueryId);
        w.Raw(ResultKey);
        w.U16(Columns.Count);
        foreach (PlanColumn c in Columns)
        {
            w.U8((byte)c.Type);
            w.U8((byte)c.Encryption);
            w.Text(c.KeyName);
            w.Text(c.Table);
            w.Text(c.Column);
            w.Text(c.Domain ?? string.Empty);
            w.I32(c.RowIdColumn);
            w.I32(c.TagColumn);
            w.U16(c.TagSlot);
            w.I32(c.VersionColumn);
        }

        w.U8(Filter is null ? (byte)0 : (byte)1);
        if (Filter is not null)
        {
            WriteExpression(w, Filter);
        }

        w.U16(GroupBy.Count);
        foreach (int g in GroupBy)
        {
            w.U16(g);
        }

        w.U16(Outputs.Count);
        foreach (PlanOutput o in Outputs)
        {
            w.U8((byte)o.Kind);
            w.I32(o.Column);
        }

        w.U16(OrderBy.Count);
        foreach (PlanOrder o in OrderBy)
        {
            w.U16(o.Output);
            w.U8(o.Descending ? (byte)1 : (byte)0);
        }

        w.I64(Limit);
        w.U8(Having is null ? (byte)0 : (byte)1);
        if (Having is not null)
        {
            WriteExpression(w, Having);
        }

        return w.ToArray();
    }

    /// <summary>Decodes and validates a plan (every index in range, every kind known); hostile input gets Malformed.</summary>
    public static QueryPlan Deserialize(ReadOnlySpan<byte> bytes)
    {
        var r = new BigEndianReader(bytes);
        if (r.U8() != Version)
        {
            throw BigEndianReader.Malformed("an unknown plan version");
        }

        byte[] queryId = r.Raw(QueryIdLength).ToArray();
        byte[] resultKey = r.Raw(32).ToArray();
        int columnCount = r.Count(MaxColumns, "candidate columns");
        var columns = new PlanColumn[columnCount];
        for (int i = 0; i < columnCount; i++)
        {
            var type = (DbValueType)r.U8();
            var encryption = (EncryptionType)r.U8();
            if (!Enum.IsDefined(type) || !Enum.IsDefined(encryption))
            {
                throw BigEndianReader.Malformed($"candidate column {i} has an unknown type or encryption");
            }

            string key = r.Text();
            string table = r.Text();
            string column = r.Text();
            string domain = r.Text();
            int rowId = r.I32();
            int tag = r.I32();
            int slot = r.U16();
            int version = r.I32();
            if (rowId < -1 || rowId >= columnCount || (encryption == EncryptionType.Randomized && rowId < 0))
            {
                throw BigEndianReader.Malformed($"candidate column {i} names row-id column {rowId}");
            }

            if (tag < -1 || tag >= columnCount || (tag >= 0 && (encryption != EncryptionType.Deterministic || rowId < 0)))
            {
                throw BigEndianReader.Malformed($"candidate column {i} names row-tag column {tag}");
            }

            // A row id comes with the row's version (randomized cells and row tags bind both).
            if (version < -1 || version >= columnCount || (rowId >= 0) != (version >= 0))
            {
                throw BigEndianReader.Malformed($"candidate column {i} names row-version column {version}");
            }

            columns[i] = new PlanColumn(type, encryption, key, table, column, domain.Length == 0 ? null : domain, rowId, tag, slot, version);
        }

        PlanExpression? filter = r.U8() switch
        {
            0 => null,
            1 => ReadExpression(ref r, columnCount, 0),
            _ => throw BigEndianReader.Malformed("a bad filter flag"),
        };

        int groupCount = r.Count(MaxOutputs, "group keys");
        var groupBy = new int[groupCount];
        for (int i = 0; i < groupCount; i++)
        {
            groupBy[i] = CheckColumn(r.U16(), columnCount);
        }

        int outputCount = r.Count(MaxOutputs, "outputs");
        if (outputCount == 0)
        {
            throw BigEndianReader.Malformed("a plan with no outputs");
        }

        var outputs = new PlanOutput[outputCount];
        for (int i = 0; i < outputCount; i++)
        {
            var kind = (OutputKind)r.U8();
            int column = r.I32();
            if (!Enum.IsDefined(kind) || (kind == OutputKind.CountStar ? column != -1 : (column < 0 || column >= columnCount)))
            {
                throw BigEndianReader.Malformed($"output {i} is not a valid column or aggregate");
            }

            outputs[i] = new PlanOutput(kind, column);
        }

        int orderCount = r.Count(MaxOutputs, "order keys");
        var orderBy = new PlanOrder[orderCount];
        for (int i = 0; i < orderCount; i++)
        {
            int output = r.U16();
            if (output >= outputCount)
            {
                throw BigEndianReader.Malformed($"order key {i} names output {output}");
            }

            orderBy[i] = new PlanOrder(output, r.U8() switch { 0 => false, 1 => true, _ => throw BigEndianReader.Malformed("a bad DESC flag") });
        }

        long limit = r.I64();
        if (limit < -1)
        {
            throw BigEndianReader.Malformed($"a limit of {limit}");
        }

        PlanExpression? having = r.U8() switch
        {
            0 => null,
            1 => ReadExpression(ref r, outputCount, 0),
            _ => throw BigEndianReader.Malformed("a bad HAVING flag"),
        };
        r.End();
        var plan = new QueryPlan { QueryId = queryId, ResultKey = resultKey, Columns = columns, Filter = filter, GroupBy = groupBy, Outputs = outputs, OrderBy = orderBy, Limit = limit, Having = having };
        if (plan.Aggregates && outputs.Any(o => o.Kind == OutputKind.Column && !groupBy.Contains(o.Column)))
        {
            throw BigEndianReader.Malformed("an aggregating plan outputs a column that is not a group key");
        }

        return plan;
    }

    private static void WriteExpression(BigEndianWriter w, PlanExpression e)
    {
        switch (e)
        {
            case AndExpression and:
                w.U8(1);
                WriteList(w, and.Parts);
                break;
            case OrExpression or:
                w.U8(2);
                WriteList(w, or.Parts);
                break;
            case NotExpression not:
                w.U8(3);
                WriteExpression(w, not.Operand);
                break;
            case CompareExpression c:
                w.U8(4);
                w.U8((byte)c.Operator);
                WriteOperand(w, c.Left);
                WriteOperand(w, c.Right);
                break;
            case BetweenExpression b:
                w.U8(5);
                w.U8(b.Negated ? (byte)1 : (byte)0);
                WriteOperand(w, b.Value);
                WriteOperand(w, b.Low);
                WriteOperand(w, b.High);
                break;
            case InExpression i:
                w.U8(6);
                w.U8(i.Negated ? (byte)1 : (byte)0);
                WriteOperand(w, i.Value);
                w.U16(i.List.Count);
                foreach (PlanOperand o in i.List)
                {
                    WriteOperand(w, o);
                }

                break;
            case LikeExpression l:
                w.U8(7);
                w.U8(l.Negated ? (byte)1 : (byte)0);
                WriteOperand(w, l.Value);
                w.Bytes(System.Text.Encoding.UTF8.GetBytes(l.Pattern));
                break;
            case IsNullExpression n:
                w.U8(8);
                w.U8(n.Negated ? (byte)1 : (byte)0);
                WriteOperand(w, n.Value);
                break;
            default:
                throw new ArgumentException($"unknown expression {e.GetType().Name}", nameof(e));
        }
    }

    private static void WriteList(BigEndianWriter w, IReadOnlyList<PlanExpression> parts)
    {
        w.U16(parts.Count);
        foreach (PlanExpression p in parts)
        {
            WriteExpression(w, p);
        }
    }

    private static void WriteOperand(BigEndianWriter w, PlanOperand o)
    {
        switch (o)
        {
            case ColumnOperand c:
                w.U8(1);
                w.U16(c.Index);
                break;
            case LiteralOperand l:
                w.U8(2);
                w.Value(l.Value);
                break;
            default:
                throw new ArgumentException($"unknown operand {o.GetType().Name}", nameof(o));
        }
    }

    private static PlanExpression ReadExpression(ref BigEndianReader r, int columns, int depth)
    {
        if (depth >= MaxDepth)
        {
            throw BigEndianReader.Malformed($"a filter deeper than {MaxDepth}");
        }

        switch (r.U8())
        {
            case 1:
                return new AndExpression(ReadList(ref r, columns, depth));
            case 2:
                return new OrExpression(ReadList(ref r, columns, depth));
            case 3:
                return new NotExpression(ReadExpression(ref r, columns, depth + 1));
            case 4:
            {
                var op = (CompareOperator)r.U8();
                if (!Enum.IsDefined(op))
                {
                    throw BigEndianReader.Malformed("an unknown comparison");
                }

                return new CompareExpression(op, ReadOperand(ref r, columns), ReadOperand(ref r, columns));
            }

            case 5:
            {
                bool negated = Flag(ref r);
                return new BetweenExpression(ReadOperand(ref r, columns), ReadOperand(ref r, columns), ReadOperand(ref r, columns), negated);
            }

            case 6:
            {
                bool negated = Flag(ref r);
                PlanOperand value = ReadOperand(ref r, columns);
                int count = r.Count(MaxListItems, "IN items");
                var list = new PlanOperand[count];
                for (int i = 0; i < count; i++)
                {
                    list[i] = ReadOperand(ref r, columns);
                }

                return new InExpression(value, list, negated);
            }

            case 7:
            {
                bool negated = Flag(ref r);
                PlanOperand value = ReadOperand(ref r, columns);
                ReadOnlySpan<byte> pattern = r.Bytes();
                if (pattern.Length > 4096)
                {
                    throw BigEndianReader.Malformed("a LIKE pattern over 4096 bytes");
                }

                return new LikeExpression(value, System.Text.Encoding.UTF8.GetString(pattern), negated);
            }

            case 8:
            {
                bool negated = Flag(ref r);
                return new IsNullExpression(ReadOperand(ref r, columns), negated);
            }

            default:
                throw BigEndianReader.Malformed("an unknown expression kind");
        }
    }

    private static PlanExpression[] ReadList(ref BigEndianReader r, int columns, int depth)
    {
        int count = r.Count(MaxListItems, "AND/OR parts");
        if (count == 0)
        {
            throw BigEndianReader.Malformed("an empty AND/OR");
        }

        var parts = new PlanExpression[count];
        for (int i = 0; i < count; i++)
        {
            parts[i] = ReadExpression(ref r, columns, depth + 1);
        }

        return parts;
    }

    private static PlanOperand ReadOperand(ref BigEndianReader r, int columns) => r.U8() switch
    {
        1 => new ColumnOperand(CheckColumn(r.U16(), columns)),
        2 => new LiteralOperand(r.Value()),
        _ => throw BigEndianReader.Malformed("an unknown operand kind"),
    };

    private static bool Flag(ref BigEndianReader r) => r.U8() switch
    {
        0 => false,
        1 => true,
        _ => throw BigEndianReader.Malformed("a bad NOT flag"),
    };

    private static int CheckColumn(int index, int columns) =>
        index < columns ? index : throw BigEndianReader.Malformed($"candidate column {index} of {columns}");
}
