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
}

/// <summary>Candidate SQL for the query service plus the plan for the enclave (query id and result key added per run).</summary>
internal sealed class EnclaveQuery : PlannedQuery
{
    /// <summary>SQL selecting the candidate rows, with the pushable predicates inlined (plaintext values and ciphertexts only).</summary>
    public required string CandidateSql { get; init; }

    /// <summary>The plan without its identity.</summary>
    public required Func<byte[], byte[], QueryPlan> Plan { get; init; }
}

/// <summary>Where output <c>i</c> of a direct query is in the PostgreSQL row and how to decrypt it.</summary>
/// <param name="Raw">Its position in the PostgreSQL row.</param>
/// <param name="Column">The column when the output is a column (null for aggregates).</param>
/// <param name="RowIdRaw">Position of the row id a randomized column is bound to, or -1.</param>
internal sealed record OutputDecoder(int Raw, ColumnSchema? Column, int RowIdRaw);
