namespace SecGear.Trusted.Sealing;

/// <summary>A sealed blob could not be unsealed. No plaintext is ever returned in this case.</summary>
public sealed class UnsealException : SecGearException
{
    /// <summary>Creates an exception for a refused blob.</summary>
    /// <param name="reason">Which check failed.</param>
    /// <param name="message">What was found and what was expected.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public UnsealException(UnsealFailureCode reason, string message, Exception? innerException = null)
        : base(EnclaveStatus.UnsealFailed, message, innerException)
    {
        Reason = reason;
    }

    /// <summary>Which check failed.</summary>
    public UnsealFailureCode Reason { get; }
}
