namespace SecGear.EncryptedDb;

/// <summary>How a column is stored in PostgreSQL.</summary>
public enum EncryptionType : byte
{
    /// <summary>Plaintext, in the column's own PostgreSQL type; PostgreSQL evaluates predicates on it.</summary>
    Plain = 0,

    /// <summary>AES-256-GCM-SIV with a fixed nonce: equal plaintexts in one equality domain give equal ciphertexts.</summary>
    Deterministic = 1,

    /// <summary>AES-256-GCM with a random nonce, bound to its row: only the enclave can compare or compute.</summary>
    Randomized = 2,
}
