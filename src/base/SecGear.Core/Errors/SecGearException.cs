namespace SecGear;

/// <summary>Base of every error SecGear.NET raises on purpose. <see cref="Status"/> says why.</summary>
public class SecGearException : Exception
{
    /// <summary>Creates an exception with a status and a message.</summary>
    public SecGearException(EnclaveStatus status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <summary>Creates an exception with a status, a message and a cause.</summary>
    public SecGearException(EnclaveStatus status, string message, Exception? innerException)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>Why the operation failed.</summary>
    public EnclaveStatus Status { get; }
}
