namespace SecGear.ConfidentialVm.Tsm;

/// <summary>configfs-tsm or a vendor guest device gave no usable report; <see cref="Failure"/> says why.</summary>
public sealed class TsmException : SecGearException
{
    /// <summary>Creates the exception.</summary>
    public TsmException(TsmFailureCode failure, string message, int errno = 0)
        : base(EnclaveStatus.NotSupported, message)
    {
        Failure = failure;
        Errno = errno;
    }

    /// <summary>The typed reason.</summary>
    public TsmFailureCode Failure { get; }

    /// <summary>The errno behind the failure, or 0.</summary>
    public int Errno { get; }
}
