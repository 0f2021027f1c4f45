namespace SecGear.EncryptedDb.Client;

/// <summary>How a statement runs: directly in PostgreSQL, or with the enclave evaluating what PostgreSQL cannot.</summary>
internal abstract class PlannedQuery
{
    /// <summary>Output column names.</summary>
    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>Column keys the client or enclave needs.</summary>
    public required IReadOnlyList<string> KeyNames { get; init; }
}

/// <summary>
/// Runs in PostgreSQL as is: equality on deterministic columns uses ciphertext parameters, and the client decrypts
/// the encrypted output columns.
/// </summary>
internal sealed class DirectQuery : PlannedQuery
{
    /// <summary>SQL with $1.. parameters.</summary>
    public required string Sql { get; init; }

    /// <summary>Parameter values ($1 first): plaintext values or ciphertext byte arrays.</summary>
    public required IReadOnlyList<object> Parameters { get; init; }

    /// <summary>How to turn each output's raw PostgreSQL value back into plaintext.</summary>
    public required IReadOnlyList<OutputDecoder> Decoders { get; init; }

    /// <summary>The WHERE condition as rendered into <see cref="Sql"/> (null without WHERE), for UPDATE and DELETE.</summary>
    public string? WhereSql { get; init; }

    /// <summary>Row tags the client checks on every row (deterministic cells the query reads or compares).</summary>
    public IReadOnlyList<RowTagCheck> TagChecks { get; init; } = [];
}

/// <summary>One deterministic cell of a direct query's row whose row tag the client checks.</summary>
/// <param name="CellRaw">Position of the cell in the PostgreSQL row.</param>
/// <param name="RowIdRaw">Position of its table's row id.</param>
/// <param name="VersionRaw">Position of its row's version (<see cref="RowReference.VersionColumn"/>).</param>
/// <param name="TagsRaw">Position of its table's <c>encdb_tags</c>.</param>
/// <param name="Column">The column.</param>
/// <param name="Slot">Its tag slot.</param>
internal sealed record RowTagCheck(int CellRaw, int RowIdRaw, int VersionRaw, int TagsRaw, ColumnSchema Column, int Slot);

/// <summary>Candidate SQL for the query service plus the plan for the enclave (query id and result key added per run).</summary>
internal sealed class EnclaveQuery : PlannedQuery
{
    /// <summary>SQL selecting the candidate rows, with the pushable predicates inlined (plaintext values and ciphertexts only).</summary>
    public required string CandidateSql { get; init; }

    /// <summary><c> FROM ... [WHERE pushed]</c> of the candidate SQL (UPDATE and DELETE lock these rows first).</summary>
    public required string CandidateFrom { get; init; }

    /// <summary>The plan without its identity.</summary>
    public required Func<byte[], byte[], QueryPlan> Plan { get; init; }
}

/// <summary>Where output <c>i</c> of a direct query is in the PostgreSQL row and how to decrypt it.</summary>
/// <param name="Raw">Its position in the PostgreSQL row.</param>
/// <param name="Column">The column when the output is a column (null for aggregates).</param>
/// <param name="RowIdRaw">Position of the row id a randomized column is bound to (the row's version follows it), or -1.</param>
internal sealed record OutputDecoder(int Raw, ColumnSchema? Column, int RowIdRaw);
