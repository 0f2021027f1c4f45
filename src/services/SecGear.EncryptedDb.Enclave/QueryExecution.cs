namespace SecGear.EncryptedDb.Enclave;

/// <summary>
/// One prepared query inside the enclave: takes candidate row batches, filters them, groups and aggregates or keeps
/// the projected rows, and at the end sorts, limits and seals the result for the client. Thread-safe (one lock).
/// </summary>
internal sealed class QueryExecution
{
    /// <summary>Most rows (or groups) a query keeps before it fails with LimitExceeded.</summary>
    public const int MaxKeptRows = 2_000_000;

    /// <summary>Most rows in one batch.</summary>
    public const int MaxBatchRows = 1_000_000;

    /// <summary>Batches with at least this many rows are filtered by several threads.</summary>
    public const int ParallelBatchRows = 2048;

    /// <summary>Most threads one batch uses (the enclave has four TCS).</summary>
    public const int MaxParallelism = 4;

    private readonly Lock _lock = new();
    private readonly QueryPlan _plan;
    private readonly CompiledColumn[] _columns;
    private readonly FilterEvaluator _filter;
    private readonly FilterEvaluator _having;
    private readonly bool _checkTags;
    private readonly List<(int Offset, int Length)> _cells = [];
    private readonly List<object?[]> _rows = [];
    private readonly Dictionary<object?[], Accumulator[]> _groups = new(GroupKeyComparer.Instance);
    private byte[]? _sealed;
    private int _readOffset;

    public QueryExecution(QueryPlan plan, IReadOnlyDictionary<string, ColumnKey> keys, byte[] sessionId)
    {
        _plan = plan;
        SessionId = sessionId;
        _columns = new CompiledColumn[plan.Columns.Count];
        for (int i = 0; i < _columns.Length; i++)
        {
            PlanColumn column = plan.Columns[i];
            if (column.Encryption == EncryptionType.Plain)
            {
                _columns[i] = new CompiledColumn(column, null, null);
                continue;
            }

            if (!keys.TryGetValue(column.KeyName, out ColumnKey? key))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the plan needs column key '{column.KeyName}' for {column.Table}.{column.Column}, which this session has not sent");
            }

            _columns[i] = new CompiledColumn(column, key, column.Binding(), column.TagColumn >= 0 ? column.TagBinding() : null);
        }

        _filter = new FilterEvaluator(plan.Filter);
        _having = new FilterEvaluator(plan.Having);
        _checkTags = _columns.Any(c => c.TagBinding is not null);
        if (plan.Aggregates && plan.GroupBy.Count == 0)
        {
            // Aggregates without GROUP BY give one row even over no input (COUNT 0, SUM NULL).
            _groups[[]] = NewAccumulators();
        }
    }

    /// <summary>The channel session that prepared the query.</summary>
    public byte[] SessionId { get; }

    /// <summary>Why the query failed, once it has.</summary>
    public EncryptedDbException? Failure { get; private set; }

    /// <summary>Candidate rows seen.</summary>
    public long RowsSeen { get; private set; }

    /// <summary>Processes one batch (already copied out of shared memory).</summary>
    public void AddBatch(byte[] batch, int length)
    {
        lock (_lock)
        {
            ThrowIfDone();
            try
            {
                int rows = RowBatch.Parse(batch.AsSpan(0, length), _columns.Length, MaxBatchRows, _cells);

                // Large batches are split over the enclave's threads; each part filters into its own sink, and the
                // parts are merged in row order, so results do not depend on the split.
                int parts = rows >= ParallelBatchRows ? Math.Min(MaxParallelism, Environment.ProcessorCount) : 1;
                var sinks = new Sink[parts];
                try
                {
                    Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
                    {
                        var sink = new Sink(this);
                        var row = new CandidateRow(_columns);
                        int first = (int)((long)rows * p / parts);
                        int end = (int)((long)rows * (p + 1) / parts);
                        for (int r = first; r < end; r++)
                        {
                            row.MoveTo(batch, _cells, r);
                            if (_filter.Passes(row))
                            {
                                if (_checkTags)
                                {
                                    row.VerifyUnreadTags();
                                }

                                sink.Keep(row);
                            }
                        }

                        sinks[p] = sink;
                    });
                }
                catch (AggregateException ex) when (ex.InnerExceptions.OfType<EncryptedDbException>().FirstOrDefault() is { } inner)
                {
                    throw inner;
                }

                foreach (Sink sink in sinks)
                {
                    Merge(sink);
                }

                RowsSeen += rows;
            }
            catch (EncryptedDbException ex)
            {
                Failure = ex;
                throw;
            }
        }
    }

    /// <summary>Finishes the query and returns the length of the sealed result.</summary>
    public int Finish()
    {
        lock (_lock)
        {
            ThrowIfDone();
            try
            {
                List<object?[]> rows = _plan.Aggregates ? [.. _groups.Select(g => GroupRow(g.Key, g.Value))] : _rows;
                if (_plan.Having is not null)
                {
                    rows = [.. rows.Where(r => _having.Passes(new ResultRowValues(r)))];
                }

                if (_plan.OrderBy.Count > 0)
                {
                    rows = Sort(rows);
                }

                if (_plan.Limit >= 0 && rows.Count > _plan.Limit)
                {
                    rows = rows.GetRange(0, (int)_plan.Limit);
                }

                _sealed = new QueryResult(_plan.Outputs.Count, rows).Seal(_plan.ResultKey, _plan.QueryId);
                _rows.Clear();
                _groups.Clear();
                return _sealed.Length;
            }
            catch (EncryptedDbException ex)
            {
                Failure = ex;
                throw;
            }
        }
    }

    /// <summary>Copies the next part of the sealed result; returns 0 once all of it was read.</summary>
    public int Read(Span<byte> chunk)
    {
        lock (_lock)
        {
            if (_sealed is null)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.UnknownQuery, "query_read before query_finish");
            }

            int count = Math.Min(chunk.Length, _sealed.Length - _readOffset);
            _sealed.AsSpan(_readOffset, count).CopyTo(chunk);
            _readOffset += count;
            return count;
        }
    }

    private void Merge(Sink sink)
    {
        if (!_plan.Aggregates)
        {
            if (_rows.Count + sink.Rows.Count > MaxKeptRows)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"the query returns more than {MaxKeptRows} rows");
            }

            _rows.AddRange(sink.Rows);
            return;
        }

        foreach ((object?[] key, Accumulator[] accumulators) in sink.Groups)
        {
            if (_groups.TryGetValue(key, out Accumulator[]? existing))
            {
                for (int i = 0; i < existing.Length; i++)
                {
                    existing[i].Merge(accumulators[i]);
                }
            }
            else
            {
                if (_groups.Count >= MaxKeptRows)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"the query makes more than {MaxKeptRows} groups");
                }

                _groups[key] = accumulators;
            }
        }
    }

    private Accumulator[] NewAccumulators() => [.. _plan.Outputs.Select(o => new Accumulator(o.Kind))];

    private object?[] GroupRow(object?[] key, Accumulator[] accumulators)
    {
        var row = new object?[_plan.Outputs.Count];
        for (int i = 0; i < row.Length; i++)
        {
            PlanOutput output = _plan.Outputs[i];
            row[i] = output.IsAggregate ? accumulators[i].Result() : key[_plan.GroupBy.ToList().IndexOf(output.Column)];
        }

        return row;
    }

    private List<object?[]> Sort(List<object?[]> rows)
    {
        // Stable: rows with equal keys keep their arrival order. NULLS LAST ascending, NULLS FIRST descending.
        var indexed = rows.Select((row, i) => (row, i)).ToArray();
        Array.Sort(indexed, (a, b) =>
        {
            foreach (PlanOrder order in _plan.OrderBy)
            {
                object? x = a.row[order.Output];
                object? y = b.row[order.Output];
                int c = (x, y) switch
                {
                    (null, null) => 0,
                    (null, _) => 1,
                    (_, null) => -1,
                    _ => ValueCodec.Compare(x, y),
                };
                if (c != 0)
                {
                    return order.Descending ? -c : c;
                }
            }

            return a.i.CompareTo(b.i);
        });
        return [.. indexed.Select(x => x.row)];
    }

    private void ThrowIfDone()
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        if (_sealed is not null)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.UnknownQuery, "the query has already finished");
        }
    }

    // What one part of a batch kept: projected rows, or per-group accumulators.
    private sealed class Sink(QueryExecution owner)
    {
        private static readonly object?[] NoGroupKey = [];
        private Accumulator[]? _single;

        public List<object?[]> Rows { get; } = [];

        public Dictionary<object?[], Accumulator[]> Groups { get; } = new(GroupKeyComparer.Instance);

        public void Keep(CandidateRow row)
        {
            QueryPlan plan = owner._plan;
            if (!plan.Aggregates)
            {
                var output = new object?[plan.Outputs.Count];
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] = row.Value(plan.Outputs[i].Column);
                }

                Rows.Add(output);
                if (Rows.Count > MaxKeptRows)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"the query returns more than {MaxKeptRows} rows");
                }

                return;
            }

            Accumulator[] accumulators;
            if (plan.GroupBy.Count == 0)
            {
                // Aggregates without GROUP BY: one group, so no key array and no dictionary lookup per kept row.
                accumulators = _single ??= Groups[NoGroupKey] = owner.NewAccumulators();
            }
            else
            {
                var key = new object?[plan.GroupBy.Count];
                for (int i = 0; i < key.Length; i++)
                {
                    key[i] = row.Value(plan.GroupBy[i]);
                }

                accumulators = Group(key);
            }

            for (int i = 0; i < accumulators.Length; i++)
            {
                PlanOutput output = plan.Outputs[i];
                if (output.IsAggregate)
                {
                    accumulators[i].Add(output.Kind == OutputKind.CountStar ? null : row.Value(output.Column));
                }
            }
        }

        private Accumulator[] Group(object?[] key)
        {
            if (!Groups.TryGetValue(key, out Accumulator[]? accumulators))
            {
                if (Groups.Count >= MaxKeptRows)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"the query makes more than {MaxKeptRows} groups");
                }

                accumulators = owner.NewAccumulators();
                Groups[key] = accumulators;
            }

            return accumulators;
        }
    }
}
