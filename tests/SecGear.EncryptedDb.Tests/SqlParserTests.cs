using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Client.Sql;

namespace SecGear.EncryptedDb.Tests;

public sealed class SqlParserTests
{
    [Fact]
    public void Parses_a_select_with_joins_predicates_grouping_ordering_and_limit()
    {
        var select = Assert.IsType<SqlSelect>(SqlParser.Parse(
            "SELECT c.country, SUM(o.total) AS revenue, COUNT(*) FROM customers c JOIN orders o ON o.customer_id = c.id " +
            "WHERE o.total BETWEEN 10 AND 20.5 AND (c.name LIKE 'A%' OR c.segment IN ('smb', @segment)) AND o.priority IS NOT NULL AND NOT o.status <> 'open' " +
            "GROUP BY c.country ORDER BY revenue DESC, 1 LIMIT 10;"));
        Assert.Equal(3, select.Items.Count);
        Assert.Equal("revenue", select.Items[1].Alias);
        Assert.Equal(new SqlAggregate(OutputKind.Sum, new SqlColumn("o", "total")), select.Items[1].Expression);
        Assert.Single(select.Joins);
        var where = Assert.IsType<SqlAnd>(select.Where);
        Assert.Equal(4, where.Parts.Count);
        Assert.Equal(new SqlBetween(new SqlColumn("o", "total"), new SqlLiteral(10L), new SqlLiteral(20.5m), false), where.Parts[0]);
        Assert.Equal(10L, select.Limit);
        Assert.True(select.OrderBy[0].Descending);
        Assert.Equal(1, select.OrderBy[1].Position);
    }

    [Fact]
    public void Parses_dates_strings_with_quotes_and_parameters()
    {
        var select = Assert.IsType<SqlSelect>(SqlParser.Parse("select id from t where d >= date '2024-02-29' and n = 'O''Brien' and x = @P1"));
        var where = Assert.IsType<SqlAnd>(select.Where);
        Assert.Equal(new SqlLiteral(new DateOnly(2024, 2, 29)), ((SqlCompare)where.Parts[0]).Right);
        Assert.Equal(new SqlLiteral("O'Brien"), ((SqlCompare)where.Parts[1]).Right);
        Assert.Equal(new SqlParameter("p1"), ((SqlCompare)where.Parts[2]).Right);
    }

    [Fact]
    public void Parses_an_insert_with_several_rows()
    {
        var insert = Assert.IsType<SqlInsert>(SqlParser.Parse("INSERT INTO accounts (id, owner) VALUES (1, @o), (2, NULL)"));
        Assert.Equal(["id", "owner"], insert.Columns);
        Assert.Equal(2, insert.Rows.Count);
    }

    [Fact]
    public void Parses_distinct_having_update_and_delete()
    {
        var select = Assert.IsType<SqlSelect>(SqlParser.Parse("SELECT DISTINCT city FROM accounts"));
        Assert.True(select.Distinct);
        select = Assert.IsType<SqlSelect>(SqlParser.Parse("SELECT city, COUNT(*) FROM accounts GROUP BY city HAVING COUNT(*) > 2 AND MAX(balance) < @m ORDER BY city"));
        var having = Assert.IsType<SqlAnd>(select.Having);
        Assert.Equal(new SqlCompare(CompareOperator.Greater, new SqlAggregate(OutputKind.CountStar, null), new SqlLiteral(2L)), having.Parts[0]);
        Assert.Single(select.OrderBy);
        var update = Assert.IsType<SqlUpdate>(SqlParser.Parse("UPDATE accounts SET owner = @o, note = NULL WHERE balance > 10;"));
        Assert.Equal(["owner", "note"], update.Assignments.Select(a => a.Column));
        Assert.IsType<SqlCompare>(update.Where);
        var delete = Assert.IsType<SqlDelete>(SqlParser.Parse("DELETE FROM accounts WHERE note LIKE 'x%'"));
        Assert.Equal("accounts", delete.Table);
        Assert.Null(Assert.IsType<SqlDelete>(SqlParser.Parse("delete from accounts")).Where);
    }

    [Fact]
    public void Parses_opengauss_style_key_ddl()
    {
        Assert.Equal(new SqlCreateMasterKey("cmk1", "file", "/keys/cmk1.key"), SqlParser.Parse("CREATE CLIENT MASTER KEY cmk1 WITH (KEY_STORE = file, KEY_PATH = '/keys/cmk1.key', ALGORITHM = AES_256_GCM);"));
        Assert.Equal(new SqlCreateMasterKey("cmk2", "crypto_module", "encdb-cmk"), SqlParser.Parse("create client master key cmk2 with (key_path = 'encdb-cmk', key_store = crypto_module)"));
        Assert.Equal(new SqlCreateColumnKey("cek1", "cmk1"), SqlParser.Parse("CREATE COLUMN ENCRYPTION KEY cek1 WITH VALUES (CLIENT_MASTER_KEY = cmk1, ALGORITHM = AES_256_GCM)"));
        foreach (string sql in new[]
        {
            "CREATE CLIENT MASTER KEY cmk WITH (KEY_STORE = file)",
            "CREATE CLIENT MASTER KEY cmk WITH (KEY_STORE = file, KEY_PATH = '/a', KEY_PATH = '/b')",
            "CREATE COLUMN ENCRYPTION KEY cek WITH VALUES (CLIENT_MASTER_KEY = cmk, ALGORITHM = AEAD_AES_256_CBC_HMAC_SHA256)",
        })
        {
            Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, Assert.Throws<EncryptedDbException>(() => SqlParser.Parse(sql)).Code);
        }
    }

    [Fact]
    public void Parses_opengauss_style_create_table_with_encrypted_columns()
    {
        var table = Assert.IsType<SqlCreateTable>(SqlParser.Parse(
            "CREATE TABLE creditcard_info (id_number bigint PRIMARY KEY, name text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = ImgCEK, ENCRYPTION_TYPE = DETERMINISTIC), " +
            "credit_card text encrypted with (encryption_type = randomized, column_encryption_key = ImgCEK1), limit_amount numeric, sku text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = c, ENCRYPTION_TYPE = DETERMINISTIC, EQUALITY_DOMAIN = skus), since DATE);"));
        Assert.Equal("creditcard_info", table.Name);
        Assert.Equal("id_number", table.RowIdColumn);
        Assert.Equal(
            [
                new ColumnDefinition("id_number", DbValueType.Int64),
                new ColumnDefinition("name", DbValueType.Text, EncryptionType.Deterministic, "imgcek"),
                new ColumnDefinition("credit_card", DbValueType.Text, EncryptionType.Randomized, "imgcek1"),
                new ColumnDefinition("limit_amount", DbValueType.Numeric),
                new ColumnDefinition("sku", DbValueType.Text, EncryptionType.Deterministic, "c", "skus"),
                new ColumnDefinition("since", DbValueType.Date),
            ],
            table.Columns);
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, Assert.Throws<EncryptedDbException>(() => SqlParser.Parse("CREATE TABLE t (id bigint, x text)")).Code);
        foreach (string sql in new[]
        {
            "CREATE TABLE t (id int PRIMARY KEY)",
            "CREATE TABLE t (id bigint PRIMARY KEY, x numeric(10, 2))",
            "CREATE TABLE t (id bigint PRIMARY KEY, b text PRIMARY KEY)",
            "CREATE TABLE t (id bigint PRIMARY KEY, x text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = k))",
            "CREATE TABLE t (id bigint PRIMARY KEY, x text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = k, ENCRYPTION_TYPE = PROBABILISTIC))",
            "CREATE TABLE t (id bigint PRIMARY KEY, x text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = k, ENCRYPTION_TYPE = RANDOMIZED) ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = k, ENCRYPTION_TYPE = RANDOMIZED))",
            "CREATE TABLE t (id bigint PRIMARY KEY, x text NOT NULL)",
        })
        {
            Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, Assert.Throws<EncryptedDbException>(() => SqlParser.Parse(sql)).Code);
        }
    }

    [Fact]
    public void Aggregates_are_operands_in_having_only()
    {
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, Assert.Throws<EncryptedDbException>(() => SqlParser.Parse("SELECT id FROM accounts WHERE COUNT(*) > 1")).Code);
    }

    [Theory]
    [InlineData("UPDATE accounts SET owner = owner", "literals and parameters only")]
    [InlineData("UPDATE accounts SET balance = 1 + 2", "'+'")]
    [InlineData("DELETE FROM accounts USING other", "end of the statement")]
    [InlineData("SELECT owner FROM accounts a LEFT JOIN b ON a.id = b.id", "outer and cross joins")]
    [InlineData("SELECT owner FROM accounts WHERE balance + 1 > 2", "'+'")]
    [InlineData("SELECT owner FROM accounts WHERE id IN (SELECT id FROM b)", "found 'SELECT'")]
    [InlineData("SELECT owner FROM accounts UNION SELECT owner FROM b", "UNION")]
    [InlineData("SELECT owner FROM accounts -- comment", "'-'")]
    [InlineData("SELECT \"Owner\" FROM accounts", "'\"'")]
    [InlineData("SELECT owner FROM accounts WHERE owner = 'unterminated", "unterminated")]
    [InlineData("SELECT owner FROM accounts LIMIT -1", "'-'")]
    [InlineData("SELECT owner FROM accounts WHERE d = DATE '2024-13-01'", "yyyy-mm-dd")]
    [InlineData("SELECT COUNT(DISTINCT owner) FROM accounts", "DISTINCT")]
    [InlineData("SELECT owner FROM accounts extra junk", "end of the statement")]
    public void Sql_outside_the_subset_gets_a_clear_typed_error(string sql, string mentions)
    {
        var ex = Assert.Throws<EncryptedDbException>(() => SqlParser.Parse(sql));
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, ex.Code);
        Assert.Contains(mentions, ex.Message, StringComparison.Ordinal);
        Assert.Contains("SQL subset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_conditions_are_refused_not_overflowing_the_stack()
    {
        string sql = "SELECT id FROM t WHERE " + new string('(', 5000) + "id = 1" + new string(')', 5000);
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, Assert.Throws<EncryptedDbException>(() => SqlParser.Parse(sql)).Code);
    }
}
