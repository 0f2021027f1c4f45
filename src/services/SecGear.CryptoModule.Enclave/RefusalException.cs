namespace SecGear.CryptoModule.Enclave;

/// <summary>A request the enclave refuses: the status and a reason that names the check, never a secret.</summary>
internal sealed class RefusalException(EnclaveStatus status, string message) : Exception(message)
{
    /// <summary>Why.</summary>
    public EnclaveStatus Status { get; } = status;
}
