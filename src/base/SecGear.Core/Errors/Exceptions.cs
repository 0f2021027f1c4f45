namespace SecGear;

/// <summary>Bytes that crossed the host/enclave boundary are malformed: truncated, oversized or inconsistent.</summary>
public sealed class MarshalException(string message) : SecGearException(EnclaveStatus.InvalidMarshalling, message);

/// <summary>The enclave is gone (its runner process died or it was destroyed mid-call). Every pending and later call fails with this.</summary>
public sealed class EnclaveLostException(string message, Exception? innerException = null)
    : SecGearException(EnclaveStatus.EnclaveLost, message, innerException);

/// <summary>Host and enclave were generated from different versions of a contract.</summary>
public sealed class ContractMismatchException(string message) : SecGearException(EnclaveStatus.ContractMismatch, message);

/// <summary>The enclave does not implement the contract the host asked for.</summary>
public sealed class ContractNotFoundException(string message) : SecGearException(EnclaveStatus.ContractNotFound, message);

/// <summary>The call was refused: unknown function id, or a private ECALL that no in-progress OCALL allows.</summary>
public sealed class CallNotAllowedException(string message) : SecGearException(EnclaveStatus.CallNotAllowed, message);

/// <summary>Every enclave thread (TCS) is busy; the manifest's thread count bounds concurrent ECALLs.</summary>
public sealed class EnclaveOutOfThreadsException(string message) : SecGearException(EnclaveStatus.OutOfThreads, message);

/// <summary>A request or response exceeds the configured payload limit.</summary>
public sealed class PayloadTooLargeException(string message) : SecGearException(EnclaveStatus.PayloadTooLarge, message);

/// <summary>The enclave was disposed before or during the call.</summary>
public sealed class EnclaveDisposedException(string message) : SecGearException(EnclaveStatus.Disposed, message);

/// <summary>The engine does not support the requested operation or feature.</summary>
public sealed class EnclaveNotSupportedException(string message) : SecGearException(EnclaveStatus.NotSupported, message);

/// <summary>
/// The ECALL's implementation threw inside the enclave. Only the exception's type name and message cross the
/// boundary (never a stack trace from a non-debug enclave).
/// </summary>
public sealed class EcallFailedException(string remoteType, string message)
    : SecGearException(EnclaveStatus.EcallFailed, message)
{
    /// <summary>Full name of the exception type thrown inside the enclave.</summary>
    public string RemoteType { get; } = remoteType;
}

/// <summary>
/// The host's OCALL implementation threw. Raised inside the enclave at the OCALL site; if the enclave does not
/// catch it, the host sees it again as <see cref="EcallFailedException"/> with this type as its remote type.
/// </summary>
public sealed class OcallFailedException(string ocallName, string remoteType, string message)
    : SecGearException(EnclaveStatus.OcallFailed, message)
{
    /// <summary>The OCALL that failed.</summary>
    public string OcallName { get; } = ocallName;

    /// <summary>Full name of the exception type the host threw.</summary>
    public string RemoteType { get; } = remoteType;
}
