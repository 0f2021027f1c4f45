namespace SecGear.Images;

/// <summary>An enclave image is malformed, tampered with, or its signature does not verify.</summary>
public sealed class EnclaveImageException : SecGearException
{
    /// <summary>Creates an exception for a rejected image.</summary>
    /// <param name="reason">Which check failed.</param>
    /// <param name="message">What was found and what was expected.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public EnclaveImageException(EnclaveImageFailureCode reason, string message, Exception? innerException = null)
        : base(EnclaveStatus.InvalidImage, message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Which check failed.</summary>
    public EnclaveImageFailureCode Reason { get; }
}
