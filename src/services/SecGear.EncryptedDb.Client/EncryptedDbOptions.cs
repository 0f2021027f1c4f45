using System.Net;
using SecGear.Attestation;

namespace SecGear.EncryptedDb.Client;

/// <summary>How an <see cref="EncryptedDbConnection"/> reaches PostgreSQL, the query service, and what enclave it trusts.</summary>
public sealed class EncryptedDbOptions
{
    /// <summary>Npgsql connection string of the database.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The query service beside PostgreSQL (needed only for queries the enclave evaluates).</summary>
    public IPEndPoint? QueryService { get; init; }

    /// <summary>Verifies the query enclave's evidence (with the simulation plug-in and its CA for the simulation engine).</summary>
    public AttestationVerifier? Verifier { get; init; }

    /// <summary>
    /// What the query enclave must be: pinned measurement (<see cref="AttestationPolicy.AllowedUniqueIds"/>) and/or
    /// signer. No column key is sent to an enclave that does not satisfy it.
    /// </summary>
    public AttestationPolicy? EnclavePolicy { get; init; }

    /// <summary>
    /// Finds a client master key held by the client by its catalog entry (key store and path); default:
    /// <see cref="MasterKeyFile.Load"/> for the "file" key store.
    /// </summary>
    public Func<string, string, byte[]>? MasterKeyResolver { get; init; }

    /// <summary>
    /// The TEE crypto module holding client master keys of the <see cref="CryptoModuleMasterKeys.KeyStore"/> key store
    /// (a client with the tenant's credential; verify the module with <c>VerifyEnclaveAsync</c> before handing it over).
    /// Such keys never leave the module: it wraps and unwraps the column keys.
    /// </summary>
    public SecGear.CryptoModule.Client.CryptoModuleClient? CryptoModule { get; init; }

    /// <summary>
    /// When true, queries that aggregate (COUNT, SUM/AVG/MIN/MAX, GROUP BY, DISTINCT, HAVING) and read or compare a
    /// deterministic column run through the enclave, which checks the row tag of every deterministic cell of each row
    /// before it counts the row. When false (the default), PostgreSQL computes such queries alone on the stored bytes:
    /// faster, but no row reaches the client or the enclave, so no row tag is checked and the result carries no
    /// integrity guarantee (docs/encrypted-db.md, "What results are not integrity-checked").
    /// </summary>
    public bool VerifiedAggregates { get; init; }
}
