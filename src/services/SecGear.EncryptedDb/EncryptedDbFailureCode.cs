namespace SecGear.EncryptedDb;

/// <summary>Why an encrypted-database operation failed; stable numbers (they cross the wire and the enclave boundary).</summary>
public enum EncryptedDbFailureCode
{
    /// <summary>The SQL is outside the documented subset (docs/encrypted-db.md, "SQL subset").</summary>
    UnsupportedSql = 1,

    /// <summary>The SQL names a table, column or parameter that does not exist, or mixes types.</summary>
    InvalidQuery = 2,

    /// <summary>A ciphertext failed authentication: altered, or moved from another row, column or key.</summary>
    IntegrityFailure = 3,

    /// <summary>A key is missing, malformed, or cannot be unwrapped with the client master key.</summary>
    KeyUnavailable = 4,

    /// <summary>The enclave did not satisfy the client's attestation policy; no key was sent.</summary>
    EnclaveRejected = 5,

    /// <summary>Bytes from the other side are malformed (truncated, oversized, wrong version).</summary>
    Malformed = 6,

    /// <summary>An explicit limit was reached (rows, groups, result size, sessions, queries).</summary>
    LimitExceeded = 7,

    /// <summary>The enclave does not know the query (never prepared, already finished, or its session ended).</summary>
    UnknownQuery = 8,

    /// <summary>Evaluation failed (e.g. a SUM overflowed the 28-digit decimal range).</summary>
    EvaluationFailed = 9,

    /// <summary>The query service or PostgreSQL failed, or the connection to it broke.</summary>
    ServiceFailure = 10,
}
