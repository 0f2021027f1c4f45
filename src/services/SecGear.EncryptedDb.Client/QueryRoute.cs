namespace SecGear.EncryptedDb.Client;

/// <summary>Where a query ran.</summary>
public enum QueryRoute
{
    /// <summary>Entirely in PostgreSQL, on plaintext columns and deterministic ciphertexts; the client decrypted the output.</summary>
    Database,

    /// <summary>PostgreSQL selected candidate rows; the enclave evaluated the rest and sealed the result.</summary>
    Enclave,
}
