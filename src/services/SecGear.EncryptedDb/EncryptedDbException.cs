namespace SecGear.EncryptedDb;

/// <summary>An encrypted-database operation failed. Messages never contain a key or a plaintext value of an encrypted column.</summary>
public sealed class EncryptedDbException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EncryptedDbException(EncryptedDbFailureCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Why it failed.</summary>
    public EncryptedDbFailureCode Code { get; }
}
