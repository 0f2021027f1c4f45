namespace SecGear.AttestationService.Storage;

/// <summary>
/// The database is locked, missing, unreachable or unusable. Nothing was written by the failed operation; the service
/// answers 503 <see cref="ServiceErrorCodes.StorageUnavailable"/> with <c>Retry-After</c>.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public StorageUnavailableException()
        : base("The attestation service's database is unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }
}
