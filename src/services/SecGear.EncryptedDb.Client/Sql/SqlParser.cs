using System.Globalization;

namespace SecGear.EncryptedDb.Client.Sql;

/// <summary>
/// A recursive-descent parser for exactly the SQL subset of docs/encrypted-db.md (no well-kept PostgreSQL SQL parser
/// for .NET restores here). Anything else fails with <see cref="EncryptedDbFailureCode.UnsupportedSql"/> naming the
/// offset and what was found.
/// </summary>
internal sealed class SqlParser
{
    private const int MaxDepth = 32;
    private readonly List<SqlToken> _tokens;
    private int _next;
    private int _depth;
    private bool _aggregateOperands;

    private SqlParser(string sql)
    {
        _tokens = SqlLexer.Tokenize(sql);
    }

    public static SqlStatement Parse(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var parser = new SqlParser(sql);
        SqlStatement statement = parser.Peek.Kind != SqlTokenKind.Keyword ? parser.Select() : parser.Peek.Text switch
        {
            "INSERT" => parser.Insert(),
            "UPDATE" => parser.Update(),
            "DELETE" => parser.Delete(),
            "CREATE" => parser.Create(),
            _ => parser.Select(),
        };
        parser.AcceptSymbol(";");
        if (parser.Peek.Kind != SqlTokenKind.End)
        {
            throw parser.Unexpected("the end of the statement");
        }

        return statement;
    }

    private SqlToken Peek => _tokens[_next];

    private SqlSelect Select()
    {
        ExpectKeyword("SELECT");
        bool distinct = AcceptKeyword("DISTINCT");

        var items = new List<SqlSelectItem>();
        bool star = false;
        if (AcceptSymbol("*"))
        {
            star = true;
        }
        else
        {
            do
            {
                SqlExpression expression = SelectExpression();
                string? alias = null;
                if (AcceptKeyword("AS"))
                {
                    alias = ExpectIdentifier();
                }
                else if (Peek.Kind == SqlTokenKind.Identifier)
                {
                    alias = ExpectIdentifier();
                }

                items.Add(new SqlSelectItem(expression, alias));
            }
            while (AcceptSymbol(","));
        }

        ExpectKeyword("FROM");
        SqlTableRef from = TableRef();
        var joins = new List<SqlJoin>();
        while (Peek.Kind == SqlTokenKind.Keyword && Peek.Text is "JOIN" or "INNER" or "LEFT" or "RIGHT" or "FULL" or "CROSS")
        {
            if (Peek.Text is "LEFT" or "RIGHT" or "FULL" or "CROSS")
            {
                throw Unexpected("[INNER] JOIN (outer and cross joins are outside the subset)");
            }

            AcceptKeyword("INNER");
            ExpectKeyword("JOIN");
            SqlTableRef table = TableRef();
            ExpectKeyword("ON");
            SqlColumn left = Column();
            ExpectSymbol("=");
            SqlColumn right = Column();
            joins.Add(new SqlJoin(table, left, right));
        }

        SqlExpression? where = AcceptKeyword("WHERE") ? Or() : null;
        var groupBy = new List<SqlColumn>();
        if (AcceptKeyword("GROUP"))
        {
            ExpectKeyword("BY");
            do
            {
                groupBy.Add(Column());
            }
            while (AcceptSymbol(","));
        }

        SqlExpression? having = null;
        if (AcceptKeyword("HAVING"))
        {
            // HAVING compares group columns and aggregates: operands may be aggregates here only.
            _aggregateOperands = true;
            having = Or();
            _aggregateOperands = false;
        }

        if (Peek.Text is "UNION" or "OFFSET")
        {
            throw Unexpected($"ORDER BY, LIMIT or the end ({Peek.Text} is outside the subset)");
        }

        var orderBy = new List<SqlOrderItem>();
        if (AcceptKeyword("ORDER"))
        {
            ExpectKeyword("BY");
            do
            {
                SqlOrderItem item;
                if (Peek.Kind == SqlTokenKind.Integer)
                {
                    item = new SqlOrderItem(null, int.Parse(Take().Text, CultureInfo.InvariantCulture), false);
                }
                else
                {
                    item = new SqlOrderItem(SelectExpression(), 0, false);
                }

                bool descending = AcceptKeyword("DESC");
                if (!descending)
                {
                    AcceptKeyword("ASC");
                }

                orderBy.Add(item with { Descending = descending });
            }
            while (AcceptSymbol(","));
        }

        long? limit = null;
        if (AcceptKeyword("LIMIT"))
        {
            SqlToken token = Take();
            if (token.Kind != SqlTokenKind.Integer || !long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw Unexpected("a non-negative integer after LIMIT", token);
            }

            limit = value;
        }

        return new SqlSelect(items, star, from, joins, where, groupBy, orderBy, limit) { Distinct = distinct, Having = having };
    }

    private SqlUpdate Update()
    {
        ExpectKeyword("UPDATE");
        string table = ExpectIdentifier();
        ExpectKeyword("SET");
        var assignments = new List<SqlAssignment>();
        do
        {
            string column = ExpectIdentifier();
            ExpectSymbol("=");
            if (Peek.Kind == SqlTokenKind.Identifier)
            {
                throw Unexpected("a value (SET takes literals and parameters only, no expressions or column references)");
            }

            SqlExpression value = Value();
            if (Peek.Kind == SqlTokenKind.Symbol && Peek.Text is not ("," or ";"))
            {
                throw Unexpected("',' or WHERE (SET takes literals and parameters only, no expressions)");
            }

            assignments.Add(new SqlAssignment(column, value));
        }
        while (AcceptSymbol(","));
        SqlExpression? where = AcceptKeyword("WHERE") ? Or() : null;
        return new SqlUpdate(table, assignments, where);
    }

    private SqlStatement Create()
    {
        if (_tokens.Count > _next + 1 && _tokens[_next + 1] is { Kind: SqlTokenKind.Identifier, Text: "table" })
        {
            ExpectKeyword("CREATE");
            ExpectWord("table");
            return CreateTable();
        }

        return CreateKey();
    }

    // openGauss's column encryption DDL: CREATE TABLE t (id bigint PRIMARY KEY, name text ENCRYPTED WITH
    // (COLUMN_ENCRYPTION_KEY = cek, ENCRYPTION_TYPE = DETERMINISTIC | RANDOMIZED [, EQUALITY_DOMAIN = d])). Only the
    // four types the encrypted database has, PRIMARY KEY (exactly one: the row-id column) and ENCRYPTED WITH.
    private SqlCreateTable CreateTable()
    {
        string table = ExpectIdentifier();
        ExpectSymbol("(");
        var columns = new List<ColumnDefinition>();
        string? rowId = null;
        do
        {
            SqlToken nameToken = Peek;
            string name = ExpectIdentifier();
            DbValueType type = Take() switch
            {
                { Kind: SqlTokenKind.Identifier, Text: "bigint" or "int8" } => DbValueType.Int64,
                { Kind: SqlTokenKind.Identifier, Text: "numeric" or "decimal" } => DbValueType.Numeric,
                { Kind: SqlTokenKind.Identifier, Text: "text" } => DbValueType.Text,
                { Kind: SqlTokenKind.Keyword, Text: "DATE" } => DbValueType.Date,
                SqlToken other => throw Unexpected("a column type (BIGINT, NUMERIC, TEXT or DATE)", other),
            };
            var encryption = EncryptionType.Plain;
            string? key = null;
            string? domain = null;
            while (true)
            {
                if (AcceptWord("primary"))
                {
                    ExpectWord("key");
                    if (rowId is not null)
                    {
                        throw Unexpected("one PRIMARY KEY column (the row-id column)", nameToken);
                    }

                    rowId = name;
                }
                else if (AcceptWord("encrypted"))
                {
                    if (key is not null)
                    {
                        throw Unexpected("one ENCRYPTED WITH per column");
                    }

                    (key, encryption, domain) = EncryptedWith();
                }
                else
                {
                    break;
                }
            }

            columns.Add(new ColumnDefinition(name, type, encryption, key, domain));
        }
        while (AcceptSymbol(","));
        ExpectSymbol(")");
        return new SqlCreateTable(table, rowId ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: CREATE TABLE {table} needs one plaintext BIGINT or TEXT column marked PRIMARY KEY (encrypted cells and row tags are bound to it)"), columns);
    }

    private (string Key, EncryptionType Encryption, string? Domain) EncryptedWith()
    {
        ExpectKeyword("WITH");
        string? key = null;
        EncryptionType? encryption = null;
        string? domain = null;
        OptionList(option =>
        {
            switch (option)
            {
                case "column_encryption_key" when key is null:
                    key = ExpectIdentifier();
                    break;
                case "encryption_type" when encryption is null:
                    encryption = Take() switch
                    {
                        { Kind: SqlTokenKind.Identifier, Text: "deterministic" } => EncryptionType.Deterministic,
                        { Kind: SqlTokenKind.Identifier, Text: "randomized" } => EncryptionType.Randomized,
                        SqlToken other => throw Unexpected("DETERMINISTIC or RANDOMIZED", other),
                    };
                    break;
                case "equality_domain" when domain is null:
                    domain = ExpectIdentifier();
                    break;
                default:
                    throw Unexpected("COLUMN_ENCRYPTION_KEY, ENCRYPTION_TYPE or EQUALITY_DOMAIN (each once)");
            }
        });
        return (key ?? throw Unexpected("COLUMN_ENCRYPTION_KEY"), encryption ?? throw Unexpected("ENCRYPTION_TYPE"), domain);
    }

    // openGauss's key DDL, with single-quoted paths: CREATE CLIENT MASTER KEY cmk WITH (KEY_STORE = file, KEY_PATH = '...')
    // and CREATE COLUMN ENCRYPTION KEY cek WITH VALUES (CLIENT_MASTER_KEY = cmk [, ALGORITHM = AES_256_GCM]).
    private SqlStatement CreateKey()
    {
        ExpectKeyword("CREATE");
        if (AcceptWord("client"))
        {
            ExpectWord("master");
            ExpectWord("key");
            string name = ExpectIdentifier();
            ExpectKeyword("WITH");
            string? store = null;
            string? path = null;
            OptionList(option =>
            {
                switch (option)
                {
                    case "key_store" when store is null:
                        store = ExpectIdentifier();
                        break;
                    case "key_path" when path is null:
                        path = Take() is { Kind: SqlTokenKind.String } token ? token.Text : throw Unexpected("a 'quoted' KEY_PATH");
                        break;
                    case "algorithm":
                        ExpectWord("aes_256_gcm");
                        break;
                    default:
                        throw Unexpected("KEY_STORE, KEY_PATH or ALGORITHM (each once)");
                }
            });
            return new SqlCreateMasterKey(name, store ?? throw Unexpected("KEY_STORE"), path ?? throw Unexpected("KEY_PATH"));
        }

        if (!AcceptWord("column"))
        {
            throw Unexpected("TABLE, CLIENT MASTER KEY or COLUMN ENCRYPTION KEY after CREATE");
        }

        ExpectWord("encryption");
        ExpectWord("key");
        string cek = ExpectIdentifier();
        ExpectKeyword("WITH");
        ExpectKeyword("VALUES");
        string? master = null;
        OptionList(option =>
        {
            switch (option)
            {
                case "client_master_key" when master is null:
                    master = ExpectIdentifier();
                    break;
                case "algorithm":
                    ExpectWord("aes_256_gcm");
                    break;
                default:
                    throw Unexpected("CLIENT_MASTER_KEY or ALGORITHM (each once)");
            }
        });
        return new SqlCreateColumnKey(cek, master ?? throw Unexpected("CLIENT_MASTER_KEY"));
    }

    // ( name = value {, name = value} ): reads each option's name and '=', and readOption takes the value.
    private void OptionList(Action<string> readOption)
    {
        ExpectSymbol("(");
        do
        {
            string option = ExpectIdentifier();
            ExpectSymbol("=");
            readOption(option);
        }
        while (AcceptSymbol(","));
        ExpectSymbol(")");
    }

    private bool AcceptWord(string word)
    {
        if (Peek.Kind == SqlTokenKind.Identifier && Peek.Text == word)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void ExpectWord(string word)
    {
        if (!AcceptWord(word))
        {
            throw Unexpected(word.ToUpperInvariant());
        }
    }

    private SqlDelete Delete()
    {
        ExpectKeyword("DELETE");
        ExpectKeyword("FROM");
        string table = ExpectIdentifier();
        SqlExpression? where = AcceptKeyword("WHERE") ? Or() : null;
        return new SqlDelete(table, where);
    }

    private SqlInsert Insert()
    {
        ExpectKeyword("INSERT");
        ExpectKeyword("INTO");
        string table = ExpectIdentifier();
        ExpectSymbol("(");
        var columns = new List<string>();
        do
        {
            columns.Add(ExpectIdentifier());
        }
        while (AcceptSymbol(","));
        ExpectSymbol(")");
        ExpectKeyword("VALUES");
        var rows = new List<IReadOnlyList<SqlExpression>>();
        do
        {
            ExpectSymbol("(");
            var values = new List<SqlExpression>();
            do
            {
                values.Add(Value());
            }
            while (AcceptSymbol(","));
            ExpectSymbol(")");
            if (values.Count != columns.Count)
            {
                throw SqlLexer.Unsupported(Peek.Position, $"a VALUES row of {values.Count} values for {columns.Count} columns");
            }

            rows.Add(values);
        }
        while (AcceptSymbol(","));
        return new SqlInsert(table, columns, rows);
    }

    private SqlTableRef TableRef()
    {
        string table = ExpectIdentifier();
        string alias = table;
        if (AcceptKeyword("AS") || Peek.Kind == SqlTokenKind.Identifier)
        {
            alias = ExpectIdentifier();
        }

        return new SqlTableRef(table, alias);
    }

    private SqlExpression SelectExpression()
    {
        if (Peek.Kind == SqlTokenKind.Keyword && Peek.Text is "COUNT" or "SUM" or "AVG" or "MIN" or "MAX")
        {
            string name = Take().Text;
            ExpectSymbol("(");
            if (name == "COUNT" && AcceptSymbol("*"))
            {
                ExpectSymbol(")");
                return new SqlAggregate(OutputKind.CountStar, null);
            }

            if (Peek.Text == "DISTINCT")
            {
                throw Unexpected("a column (aggregates over DISTINCT are outside the subset)");
            }

            SqlColumn column = Column();
            ExpectSymbol(")");
            return new SqlAggregate(name switch { "COUNT" => OutputKind.Count, "SUM" => OutputKind.Sum, "AVG" => OutputKind.Avg, "MIN" => OutputKind.Min, _ => OutputKind.Max }, column);
        }

        return Column();
    }

    private SqlColumn Column()
    {
        string first = ExpectIdentifier();
        if (AcceptSymbol("."))
        {
            return new SqlColumn(first, ExpectIdentifier());
        }

        return new SqlColumn(null, first);
    }

    private SqlExpression Or()
    {
        if (++_depth > MaxDepth)
        {
            throw SqlLexer.Unsupported(Peek.Position, $"a condition nested deeper than {MaxDepth}");
        }

        var parts = new List<SqlExpression> { And() };
        while (AcceptKeyword("OR"))
        {
            parts.Add(And());
        }

        _depth--;
        return parts.Count == 1 ? parts[0] : new SqlOr(parts);
    }

    private SqlExpression And()
    {
        var parts = new List<SqlExpression> { Not() };
        while (AcceptKeyword("AND"))
        {
            parts.Add(Not());
        }

        return parts.Count == 1 ? parts[0] : new SqlAnd(parts);
    }

    private SqlExpression Not() => AcceptKeyword("NOT") ? new SqlNot(Not()) : Predicate();

    private SqlExpression Predicate()
    {
        if (AcceptSymbol("("))
        {
            SqlExpression inner = Or();
            ExpectSymbol(")");
            return inner;
        }

        SqlExpression left = Operand();
        if (AcceptKeyword("IS"))
        {
            bool negated = AcceptKeyword("NOT");
            ExpectKeyword("NULL");
            return new SqlIsNull(left, negated);
        }

        bool not = AcceptKeyword("NOT");
        if (AcceptKeyword("BETWEEN"))
        {
            SqlExpression low = Operand();
            ExpectKeyword("AND");
            return new SqlBetween(left, low, Operand(), not);
        }

        if (AcceptKeyword("IN"))
        {
            ExpectSymbol("(");
            var items = new List<SqlExpression>();
            do
            {
                items.Add(Value());
            }
            while (AcceptSymbol(","));
            ExpectSymbol(")");
            return new SqlIn(left, items, not);
        }

        if (AcceptKeyword("LIKE"))
        {
            return new SqlLike(left, Value(), not);
        }

        if (not)
        {
            throw Unexpected("BETWEEN, IN or LIKE after NOT");
        }

        SqlToken op = Take();
        CompareOperator? compare = op.Kind == SqlTokenKind.Symbol ? op.Text switch
        {
            "=" => CompareOperator.Equal,
            "<>" => CompareOperator.NotEqual,
            "<" => CompareOperator.Less,
            "<=" => CompareOperator.LessOrEqual,
            ">" => CompareOperator.Greater,
            ">=" => CompareOperator.GreaterOrEqual,
            _ => null,
        } : null;
        if (compare is null)
        {
            throw Unexpected("a comparison (= <> < <= > >=), BETWEEN, IN, LIKE or IS [NOT] NULL", op);
        }

        return new SqlCompare(compare.Value, left, Operand());
    }

    private SqlExpression Operand() => Peek.Kind switch
    {
        SqlTokenKind.Identifier => Column(),
        SqlTokenKind.Keyword when _aggregateOperands && Peek.Text is "COUNT" or "SUM" or "AVG" or "MIN" or "MAX" => SelectExpression(),
        _ => Value(),
    };

    private SqlExpression Value()
    {
        SqlToken token = Take();
        switch (token.Kind)
        {
            case SqlTokenKind.Integer:
                return long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long l)
                    ? new SqlLiteral(l)
                    : throw Unexpected("an integer within the bigint range", token);
            case SqlTokenKind.Decimal:
                return decimal.TryParse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal d)
                    ? new SqlLiteral(d)
                    : throw Unexpected("a decimal of at most 28 digits", token);
            case SqlTokenKind.String:
                return new SqlLiteral(token.Text);
            case SqlTokenKind.Parameter:
                return new SqlParameter(token.Text);
            case SqlTokenKind.Keyword when token.Text == "NULL":
                return new SqlLiteral(null);
            case SqlTokenKind.Keyword when token.Text == "DATE":
            {
                SqlToken text = Take();
                if (text.Kind != SqlTokenKind.String || !DateOnly.TryParseExact(text.Text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateOnly date))
                {
                    throw Unexpected("a 'yyyy-mm-dd' string after DATE", text);
                }

                return new SqlLiteral(date);
            }

            default:
                throw Unexpected("a value (number, 'string', DATE 'yyyy-mm-dd', NULL or @parameter)", token);
        }
    }

    private SqlToken Take() => _tokens[_next < _tokens.Count - 1 ? _next++ : _next];

    private bool AcceptKeyword(string keyword)
    {
        if (Peek.Kind == SqlTokenKind.Keyword && Peek.Text == keyword)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void ExpectKeyword(string keyword)
    {
        if (!AcceptKeyword(keyword))
        {
            throw Unexpected(keyword);
        }
    }

    private bool AcceptSymbol(string symbol)
    {
        if (Peek.Kind == SqlTokenKind.Symbol && Peek.Text == symbol)
        {
            _next++;
            return true;
        }

        return false;
    }

    private void ExpectSymbol(string symbol)
    {
        if (!AcceptSymbol(symbol))
        {
            throw Unexpected($"'{symbol}'");
        }
    }

    private string ExpectIdentifier()
    {
        if (Peek.Kind != SqlTokenKind.Identifier)
        {
            throw Unexpected("a name");
        }

        return Take().Text;
    }

    private EncryptedDbException Unexpected(string expected, SqlToken? token = null)
    {
        token ??= Peek;
        string found = token.Kind switch
        {
            SqlTokenKind.End => "the end of the text",
            SqlTokenKind.String => "a string",
            _ => $"'{token.Text}'",
        };
        return SqlLexer.Unsupported(token.Position, $"expected {expected}, found {found}");
    }
}
