namespace SecGear.EncryptedDb.Tests;

public sealed class WireFormatTests
{
    private static QueryPlan SamplePlan() => new()
    {
        QueryId = new byte[16],
        ResultKey = new byte[32],
        Columns =
        [
            new PlanColumn(DbValueType.Int64, EncryptionType.Plain, "", "orders", "id", null, -1),
            new PlanColumn(DbValueType.Numeric, EncryptionType.Randomized, "cek", "orders", "total", null, 0, VersionColumn: 3),
            new PlanColumn(DbValueType.Text, EncryptionType.Deterministic, "cek", "orders", "status", "s", -1),
            new PlanColumn(DbValueType.Int64, EncryptionType.Plain, "", "orders", RowReference.VersionColumn, null, -1),
        ],
        Filter = new AndExpression(
        [
            new BetweenExpression(new ColumnOperand(1), new LiteralOperand(10m), new LiteralOperand(20m), false),
            new OrExpression([new LikeExpression(new ColumnOperand(2), "op%", true), new IsNullExpression(new ColumnOperand(2), false)]),
            new NotExpression(new InExpression(new ColumnOperand(0), [new LiteralOperand(1L), new LiteralOperand(null)], false)),
            new CompareExpression(CompareOperator.GreaterOrEqual, new ColumnOperand(0), new LiteralOperand(new DateOnly(2024, 1, 1))),
        ]),
        GroupBy = [2],
        Outputs = [new PlanOutput(OutputKind.Column, 2), new PlanOutput(OutputKind.Sum, 1), new PlanOutput(OutputKind.CountStar, -1)],
        OrderBy = [new PlanOrder(1, true)],
        Limit = 5,
    };

    [Fact]
    public void A_plan_survives_its_encoding()
    {
        QueryPlan plan = SamplePlan();
        QueryPlan back = QueryPlan.Deserialize(plan.Serialize());
        Assert.Equal(plan.Columns, back.Columns);
        Assert.Equal(plan.Outputs, back.Outputs);
        Assert.Equal(plan.OrderBy, back.OrderBy);
        Assert.Equal(plan.GroupBy, back.GroupBy);
        Assert.Equal(5, back.Limit);
        Assert.Equal(plan.Serialize(), back.Serialize());
    }

    [Fact]
    public void Every_truncation_of_a_plan_is_refused_as_malformed()
    {
        byte[] bytes = SamplePlan().Serialize();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Equal(EncryptedDbFailureCode.Malformed, Assert.Throws<EncryptedDbException>(() => QueryPlan.Deserialize(bytes.AsSpan(0, length))).Code);
        }

        Assert.Throws<EncryptedDbException>(() => QueryPlan.Deserialize([.. bytes, 0]));
    }

    [Fact]
    public void A_plan_naming_a_column_outside_the_candidate_row_is_refused()
    {
        QueryPlan plan = SamplePlan();
        var bad = new QueryPlan { QueryId = plan.QueryId, ResultKey = plan.ResultKey, Columns = plan.Columns, Outputs = [new PlanOutput(OutputKind.Column, 7)] };
        var ex = Assert.Throws<EncryptedDbException>(() => QueryPlan.Deserialize(bad.Serialize()));
        Assert.Equal(EncryptedDbFailureCode.Malformed, ex.Code);
    }

    [Fact]
    public void A_randomized_column_without_a_row_id_column_is_refused()
    {
        var plan = new QueryPlan
        {
            QueryId = new byte[16],
            ResultKey = new byte[32],
            Columns = [new PlanColumn(DbValueType.Text, EncryptionType.Randomized, "k", "t", "c", null, -1)],
            Outputs = [new PlanOutput(OutputKind.Column, 0)],
        };
        Assert.Throws<EncryptedDbException>(() => QueryPlan.Deserialize(plan.Serialize()));
    }

    [Fact]
    public void A_row_id_column_without_a_row_version_column_is_refused()
    {
        var plan = new QueryPlan
        {
            QueryId = new byte[16],
            ResultKey = new byte[32],
            Columns =
            [
                new PlanColumn(DbValueType.Int64, EncryptionType.Plain, "", "t", "id", null, -1),
                new PlanColumn(DbValueType.Text, EncryptionType.Randomized, "k", "t", "c", null, 0),
            ],
            Outputs = [new PlanOutput(OutputKind.Column, 1)],
        };
        Assert.Contains("row-version column", Assert.Throws<EncryptedDbException>(() => QueryPlan.Deserialize(plan.Serialize())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_batches_with_lying_lengths_or_counts_are_refused()
    {
        byte[] batch = new byte[64];
        RowBatch.WriteHeader(batch, 1, 2);
        int offset = RowBatch.WriteCell(batch, RowBatch.HeaderLength, ValueCodec.Encode(1L), false);
        offset = RowBatch.WriteCell(batch, offset, default, true);
        var cells = new List<(int, int)>();
        Assert.Equal(1, RowBatch.Parse(batch.AsSpan(0, offset), 2, 10, cells));
        Assert.Equal((offset, -1), cells[1]);

        Assert.Throws<EncryptedDbException>(() => RowBatch.Parse(batch.AsSpan(0, offset - 1), 2, 10, cells));
        Assert.Throws<EncryptedDbException>(() => RowBatch.Parse(batch.AsSpan(0, offset), 3, 10, cells));
        RowBatch.WriteHeader(batch, 2, 2);
        Assert.Throws<EncryptedDbException>(() => RowBatch.Parse(batch.AsSpan(0, offset), 2, 10, cells));
        RowBatch.WriteHeader(batch, 100, 2);
        Assert.Throws<EncryptedDbException>(() => RowBatch.Parse(batch.AsSpan(0, offset), 2, 10, cells));
        RowBatch.WriteHeader(batch, 1, 2);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RowBatch.HeaderLength), 1 << 30);
        Assert.Throws<EncryptedDbException>(() => RowBatch.Parse(batch.AsSpan(0, offset), 2, 10, cells));
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 0 })]
    [InlineData(new byte[] { 9, 0, 0 })]
    [InlineData(new byte[] { 3, 0xff, 0xfe })]
    [InlineData(new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff })]
    public void Malformed_value_encodings_are_refused(byte[] encoded)
    {
        Assert.Equal(EncryptedDbFailureCode.Malformed, Assert.Throws<EncryptedDbException>(() => ValueCodec.Decode(encoded)).Code);
    }

    [Fact]
    public void Values_survive_their_encoding_and_equal_numbers_encode_alike()
    {
        foreach (object value in new object[] { long.MinValue, 0L, 12.50m, -0.001m, "", "häßlich ☃", new DateOnly(1, 1, 1), new DateOnly(9999, 12, 31) })
        {
            Assert.Equal(value is decimal d ? ValueCodec.Normalize(d) : value, ValueCodec.Decode(ValueCodec.Encode(value)));
        }

        Assert.Equal(ValueCodec.Encode(1.50m), ValueCodec.Encode(1.5m));
    }

    [Fact]
    public void A_sealed_result_opens_only_for_its_own_query_and_key()
    {
        byte[] key = new byte[32];
        key[0] = 1;
        byte[] id = new byte[16];
        var result = new QueryResult(2, [[1L, "a"], [null, 2.5m]]);
        byte[] sealedResult = result.Seal(key, id);
        QueryResult opened = QueryResult.Open(sealedResult, key, id);
        Assert.Equal(result.Rows, opened.Rows);

        byte[] otherId = new byte[16];
        otherId[15] = 1;
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, Assert.Throws<EncryptedDbException>(() => QueryResult.Open(sealedResult, key, otherId)).Code);
        sealedResult[3] ^= 1;
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, Assert.Throws<EncryptedDbException>(() => QueryResult.Open(sealedResult, key, id)).Code);
    }
}
