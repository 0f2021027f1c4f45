namespace SecGear.ConfidentialVm.Tpm;

/// <summary>A TPM command failed: the transport, or the TPM's response code (<see cref="ResponseCode"/>, 0 for transport errors).</summary>
public sealed class TpmException(string message, uint responseCode = 0) : SecGearException(EnclaveStatus.NotSupported, message)
{
    /// <summary>The TPM response code (TPM_RC), or 0.</summary>
    public uint ResponseCode { get; } = responseCode;
}
