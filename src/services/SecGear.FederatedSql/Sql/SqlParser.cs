using System.Globalization;

namespace SecGear.FederatedSql.Sql;

/// <summary>
/// A recursive-descent parser for exactly the federated SQL subset (docs/federated-sql.md, "SQL subset"): one SELECT
/// with inner joins, WHERE, GROUP BY, HAVING, ORDER BY and LIMIT. Anything else gets a
/// <see cref="FederatedSqlFailureCode.OutsideSubset"/> or <see cref="FederatedSqlFailureCode.Syntax"/> error that names it.
/// No library parser restores here for this dialect: Microsoft's ScriptDom parses T-SQL only (no LIMIT, no DATE literals).
/// </summary>
public sealed class SqlParser
{
    /// <summary>The aggregate functions of the subset.</summary>
    public static readonly IReadOnlySet<string> Aggregates = new HashSet<string>(StringComparer.Ordinal) { "sum", "count", "avg", "min", "max" };

    private const int MaxDepth = 64;

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "select", "from", "where", "group", "by", "having", "order", "limit", "join", "inner", "on", "and", "or", "not",
        "as", "asc", "desc", "between", "in", "like", "is", "null", "distinct", "date", "true", "false", "left", "right",
        "full", "outer", "cross", "union", "intersect", "except", "offset", "over", "case", "with", "natural", "using",
    };

    private readonly List<SqlToken> _tokens;
    private int _next;
    private int _depth;

    private SqlParser(string sql) => _tokens = SqlLexer.Tokenize(sql);

    /// <summary>Parses one statement of the subset.</summary>
    /// <exception cref="FederatedSqlException">The text is not in the subset; the message says where and why.</exception>
    public static SelectStatement Parse(string sql) => new SqlParser(sql).Statement();

    private SqlToken Current => _tokens[_next];

    private SelectStatement Statement()
    {
        if (IsWord("with"))
        {
            throw Outside("WITH (common table expressions)");
        }

        ExpectWord("select");
        if (IsWord("distinct"))
        {
            throw Outside("SELECT DISTINCT (use GROUP BY)");
        }

        var items = new List<SelectItem>();
        do
        {
            items.Add(SelectItem());
        }
        while (AcceptSymbol(","));

        ExpectWord("from");
        var from = new List<TableReference> { Table() };
        var joins = new List<SqlExpr?> { null };
        while (true)
        {
            if (IsWord("left") || IsWord("right") || IsWord("full") || IsWord("cross") || IsWord("natural"))
            {
                throw Outside($"{Current.Text.ToUpperInvariant()} JOIN (only inner joins are)");
            }

            if (IsSymbol(","))
            {
                throw Outside("comma joins (write JOIN ... ON)");
            }

            if (AcceptWord("inner"))
            {
                ExpectWord("join");
            }
            else if (!AcceptWord("join"))
            {
                break;
            }

            from.Add(Table());
            if (IsWord("using"))
            {
                throw Outside("JOIN ... USING (write ON)");
            }

            ExpectWord("on");
            joins.Add(Expression());
        }

        SqlExpr? where = AcceptWord("where") ? Expression() : null;
        var groupBy = new List<SqlExpr>();
        if (AcceptWord("group"))
        {
            ExpectWord("by");
            do
            {
                groupBy.Add(Expression());
            }
            while (AcceptSymbol(","));
        }

        SqlExpr? having = AcceptWord("having") ? Expression() : null;
        var orderBy = new List<OrderItem>();
        if (AcceptWord("order"))
        {
            ExpectWord("by");
            do
            {
                var expression = Expression();
                bool descending = AcceptWord("desc");
                if (!descending)
                {
                    AcceptWord("asc");
                }

                if (IsWord("nulls"))
                {
                    throw Outside("NULLS FIRST/LAST (NULLs always sort last)");
                }

                orderBy.Add(new OrderItem(expression, descending));
            }
            while (AcceptSymbol(","));
        }

        long? limit = null;
        if (AcceptWord("limit"))
        {
            if (Current.Kind != SqlTokenKind.Integer || !long.TryParse(Current.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
            {
                throw Syntax("LIMIT takes a non-negative integer");
            }

            _next++;
            limit = value;
        }

        if (IsWord("offset"))
        {
            throw Outside("OFFSET");
        }

        if (IsWord("union") || IsWord("intersect") || IsWord("except"))
        {
            throw Outside(Current.Text.ToUpperInvariant());
        }

        AcceptSymbol(";");
        if (Current.Kind != SqlTokenKind.End)
        {
            throw Syntax($"unexpected '{Current.Text}' after the end of the statement");
        }

        return new SelectStatement(items, from, joins, where, groupBy, having, orderBy, limit);
    }

    private SelectItem SelectItem()
    {
        if (IsSymbol("*"))
        {
            throw Outside("SELECT * (it would output raw rows; select aggregates and GROUP BY columns)");
        }

        var expression = Expression();
        string? alias = null;
        if (AcceptWord("as"))
        {
            alias = Identifier("an alias");
        }
        else if (Current.Kind == SqlTokenKind.Word && !Reserved.Contains(Current.Text))
        {
            alias = Identifier("an alias");
        }

        return new SelectItem(expression, alias);
    }

    private TableReference Table()
    {
        if (IsSymbol("("))
        {
            throw Outside("subqueries in FROM");
        }

        string table = Identifier("a table name");
        if (IsSymbol("."))
        {
            throw Outside("schema-qualified table names");
        }

        string alias = table;
        if (AcceptWord("as") || (Current.Kind == SqlTokenKind.Word && !Reserved.Contains(Current.Text)))
        {
            alias = Identifier("a table alias");
        }

        return new TableReference(table, alias);
    }

    private SqlExpr Expression()
    {
        if (++_depth > MaxDepth)
        {
            throw Syntax($"expressions nest deeper than {MaxDepth} levels");
        }

        try
        {
            return Or();
        }
        finally
        {
            _depth--;
        }
    }

    private SqlExpr Or()
    {
        var left = And();
        while (AcceptWord("or"))
        {
            left = new BinaryExpr("or", left, And());
        }

        return left;
    }

    private SqlExpr And()
    {
        var left = Not();
        while (AcceptWord("and"))
        {
            left = new BinaryExpr("and", left, Not());
        }

        return left;
    }

    private SqlExpr Not()
    {
        if (AcceptWord("not"))
        {
            if (++_depth > MaxDepth)
            {
                throw Syntax($"expressions nest deeper than {MaxDepth} levels");
            }

            try
            {
                return new UnaryExpr("not", Not());
            }
            finally
            {
                _depth--;
            }
        }

        return Predicate();
    }

    private SqlExpr Predicate()
    {
        var left = Additive();
        if (Current.Kind == SqlTokenKind.Symbol && Current.Text is "=" or "<>" or "<" or "<=" or ">" or ">=")
        {
            string op = Current.Text;
            _next++;
            return new BinaryExpr(op, left, Additive());
        }

        if (AcceptWord("is"))
        {
            bool negated = AcceptWord("not");
            ExpectWord("null");
            return new IsNullExpr(left, negated);
        }

        bool not = AcceptWord("not");
        if (AcceptWord("between"))
        {
            var low = Additive();
            ExpectWord("and");
            return new BetweenExpr(left, low, Additive(), not);
        }

        if (AcceptWord("in"))
        {
            ExpectSymbol("(");
            if (IsWord("select"))
            {
                throw Outside("subqueries in IN");
            }

            var items = new List<SqlExpr>();
            do
            {
                items.Add(Additive());
            }
            while (AcceptSymbol(","));
            ExpectSymbol(")");
            return new InListExpr(left, items, not);
        }

        if (AcceptWord("like"))
        {
            return new LikeExpr(left, Additive(), not);
        }

        if (not)
        {
            throw Syntax("NOT here must be followed by BETWEEN, IN or LIKE");
        }

        return left;
    }

    private SqlExpr Additive()
    {
        var left = Multiplicative();
        while (Current.Kind == SqlTokenKind.Symbol && Current.Text is "+" or "-")
        {
            string op = Current.Text;
            _next++;
            left = new BinaryExpr(op, left, Multiplicative());
        }

        return left;
    }

    private SqlExpr Multiplicative()
    {
        var left = Unary();
        while (Current.Kind == SqlTokenKind.Symbol && Current.Text is "*" or "/")
        {
            string op = Current.Text;
            _next++;
            left = new BinaryExpr(op, left, Unary());
        }

        return left;
    }

    private SqlExpr Unary()
    {
        if (AcceptSymbol("-"))
        {
            var operand = Unary();
            return operand switch
            {
                LiteralExpr { Value: long l } => new LiteralExpr(-l),
                LiteralExpr { Value: decimal d } => new LiteralExpr(-d),
                LiteralExpr { Value: double f } => new LiteralExpr(-f),
                _ => new UnaryExpr("-", operand),
            };
        }

        AcceptSymbol("+");
        return Primary();
    }

    private SqlExpr Primary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case SqlTokenKind.Integer:
                _next++;
                return long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out long l)
                    ? new LiteralExpr(l)
                    : new LiteralExpr(decimal.Parse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture));
            case SqlTokenKind.Decimal:
                _next++;
                return decimal.TryParse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal d)
                    ? new LiteralExpr(d)
                    : throw Syntax($"the number {token.Text} is out of range");
            case SqlTokenKind.Float:
                _next++;
                return new LiteralExpr(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
            case SqlTokenKind.String:
                _next++;
                return new LiteralExpr(token.Text);
            case SqlTokenKind.Symbol when token.Text == "(":
                _next++;
                if (IsWord("select"))
                {
                    throw Outside("subqueries");
                }

                var inner = Expression();
                ExpectSymbol(")");
                return inner;
            case SqlTokenKind.Word:
                return WordExpression(token);
            default:
                throw Syntax(token.Kind == SqlTokenKind.End ? "the statement ends in the middle of an expression" : $"unexpected '{token.Text}'");
        }
    }

    private SqlExpr WordExpression(SqlToken token)
    {
        switch (token.Text)
        {
            case "null":
                _next++;
                return new LiteralExpr(null);
            case "true" or "false":
                _next++;
                return new LiteralExpr(token.Text == "true");
            case "date":
                _next++;
                if (Current.Kind != SqlTokenKind.String)
                {
                    throw Syntax("DATE must be followed by a 'YYYY-MM-DD' string");
                }

                string text = Current.Text;
                _next++;
                return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    ? new LiteralExpr(date)
                    : throw Syntax($"'{text}' is not a date of the form YYYY-MM-DD");
            case "case" or "cast" or "exists" or "interval" or "extract":
                throw Outside(token.Text.ToUpperInvariant());
        }

        if (Reserved.Contains(token.Text))
        {
            throw Syntax($"unexpected keyword {token.Text.ToUpperInvariant()}");
        }

        _next++;
        if (AcceptSymbol("("))
        {
            return Call(token);
        }

        if (AcceptSymbol("."))
        {
            string column = Identifier("a column name");
            return new ColumnExpr(token.Text, column);
        }

        return new ColumnExpr(null, token.Text);
    }

    private SqlExpr Call(SqlToken name)
    {
        if (!Aggregates.Contains(name.Text))
        {
            throw Outside($"the function {name.Text.ToUpperInvariant()} (the subset has SUM, COUNT, AVG, MIN, MAX and COUNT(DISTINCT))");
        }

        if (name.Text == "count" && AcceptSymbol("*"))
        {
            ExpectSymbol(")");
            return CheckNoWindow(new AggregateExpr("count", null, false));
        }

        bool distinct = AcceptWord("distinct");
        if (distinct && name.Text != "count")
        {
            throw Outside($"{name.Text.ToUpperInvariant()}(DISTINCT ...) (only COUNT(DISTINCT ...) is)");
        }

        var argument = Expression();
        if (IsSymbol(","))
        {
            throw Syntax($"{name.Text.ToUpperInvariant()} takes one argument");
        }

        ExpectSymbol(")");
        return CheckNoWindow(new AggregateExpr(name.Text, argument, distinct));
    }

    private AggregateExpr CheckNoWindow(AggregateExpr call) =>
        IsWord("over") || IsWord("filter") ? throw Outside("window functions and FILTER clauses") : call;

    private string Identifier(string what)
    {
        if (Current.Kind != SqlTokenKind.Word || Reserved.Contains(Current.Text))
        {
            throw Syntax($"expected {what}, found '{(Current.Kind == SqlTokenKind.End ? "end of text" : Current.Text)}'");
        }

        return _tokens[_next++].Text;
    }

    private bool IsWord(string word) => Current.Kind == SqlTokenKind.Word && Current.Text == word;

    private bool IsSymbol(string symbol) => Current.Kind == SqlTokenKind.Symbol && Current.Text == symbol;

    private bool AcceptWord(string word)
    {
        if (IsWord(word))
        {
            _next++;
            return true;
        }

        return false;
    }

    private bool AcceptSymbol(string symbol)
    {
        if (IsSymbol(symbol))
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
            throw Syntax($"expected {word.ToUpperInvariant()}, found '{(Current.Kind == SqlTokenKind.End ? "end of text" : Current.Text)}'");
        }
    }

    private void ExpectSymbol(string symbol)
    {
        if (!AcceptSymbol(symbol))
        {
            throw Syntax($"expected '{symbol}', found '{(Current.Kind == SqlTokenKind.End ? "end of text" : Current.Text)}'");
        }
    }

    private FederatedSqlException Syntax(string message) =>
        new(FederatedSqlFailureCode.Syntax, $"syntax error at character {Current.Position}: {message}");

    private FederatedSqlException Outside(string what) =>
        new(FederatedSqlFailureCode.OutsideSubset, $"{what} at character {Current.Position} is outside the federated SQL subset (docs/federated-sql.md)");
}
