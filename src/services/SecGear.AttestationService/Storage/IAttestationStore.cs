namespace SecGear.AttestationService.Storage;

/// <summary>
/// Everything the service persists: versioned documents (policies, reference values, resources), challenges,
/// token-signing keys and the audit log. Every method is one transaction; failures to reach the database throw
/// <see cref="StorageUnavailableException"/> and leave nothing half-written. Implementations are thread-safe and can
/// be shared by several service instances (PostgreSQL).
/// </summary>
public interface IAttestationStore
{
    /// <summary>Creates or checks the schema; throws <see cref="StorageUnavailableException"/> with the reason when it cannot.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>The document, or null.</summary>
    Task<StoredDocument?> GetDocumentAsync(DocumentKind kind, string id, CancellationToken cancellationToken = default);

    /// <summary>All documents of a kind, ordered by id.</summary>
    Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentKind kind, CancellationToken cancellationToken = default);

    /// <summary>Stores a document if <paramref name="condition"/> holds (compare-and-set on the version).</summary>
    /// <returns>The outcome and the stored document (none when the condition failed).</returns>
    Task<DocumentWrite> PutDocumentAsync(
        DocumentKind kind, string id, string body, byte[]? secret, WriteCondition condition, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes a document, only at <paramref name="expectedVersion"/> when given.</summary>
    Task<WriteOutcome> DeleteDocumentAsync(DocumentKind kind, string id, long? expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Stores a new challenge (expired ones are removed by <see cref="PruneChallengesAsync"/>).</summary>
    Task AddChallengeAsync(StoredChallenge challenge, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Atomically removes and returns a challenge: a session id is consumed at most once across all instances.</summary>
    Task<StoredChallenge?> TakeChallengeAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>All token-signing keys, oldest first.</summary>
    Task<IReadOnlyList<StoredSigningKey>> ListSigningKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a signing key unless one with its id exists.</summary>
    Task AddSigningKeyAsync(StoredSigningKey key, CancellationToken cancellationToken = default);

    /// <summary>Appends to the audit log.</summary>
    Task AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken = default);

    /// <summary>The most recent audit records, newest first (operators and tests).</summary>
    Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a signing key only while the newest creation time among the stored keys is still
    /// <paramref name="expectedNewestCreatedAt"/> (null: no key stored), atomically across instances, so instances that
    /// decide to rotate at the same moment add one key, not several.
    /// </summary>
    /// <returns>True when the key was added.</returns>
    Task<bool> AddSigningKeyIfNewestAsync(StoredSigningKey key, DateTimeOffset? expectedNewestCreatedAt, CancellationToken cancellationToken = default);

    /// <summary>Removes a retired signing key (no-op when absent).</summary>
    Task DeleteSigningKeyAsync(string keyId, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to <paramref name="batchSize"/> audit rows older than <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAuditAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>Deletes up to <paramref name="batchSize"/> challenges that expired before <paramref name="expiredBefore"/>; returns how many.</summary>
    Task<int> PruneChallengesAsync(DateTimeOffset expiredBefore, int batchSize, CancellationToken cancellationToken = default);

    /// <summary>How many issued challenges are unused and unexpired at <paramref name="now"/>.</summary>
    Task<long> CountOutstandingChallengesAsync(DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Audit rows matching <paramref name="query"/>, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Runs a trivial statement: throws <see cref="StorageUnavailableException"/> when the database cannot serve.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
