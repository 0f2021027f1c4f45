namespace SecGear.RaTls;

/// <summary>Raised when an RA-TLS certificate cannot be created (the evidence provider returned unusable evidence).</summary>
public sealed class RaTlsException : SecGearException
{
    /// <summary>Creates the exception.</summary>
    public RaTlsException(string message)
        : base(EnclaveStatus.AttestationFailed, message)
    {
    }

    /// <summary>Creates the exception with the error that caused it.</summary>
    public RaTlsException(string message, Exception? innerException)
        : base(EnclaveStatus.AttestationFailed, message, innerException)
    {
    }
}
