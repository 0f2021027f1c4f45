using SecGear.Trusted.Sealing;

namespace SecGear.ConfidentialVm.Sealing;

/// <summary>
/// Where a confidential VM without a hardware sealing key (TDX, CCA) gets sealing roots: a key broker that releases a
/// root bound to the identity it attests ("sealing by attestation").
/// </summary>
public interface ISealingKeyBroker
{
    /// <summary>What the broker is, for logs and errors (e.g. its URL and policy).</summary>
    string Description { get; }

    /// <summary>
    /// Attests with evidence from <paramref name="evidence"/> (called with the 64 bytes of report data the broker
    /// wants bound) and returns the <see cref="AttestationService.SealingKeyPolicies.RootLength"/>-byte root the broker
    /// releases for <paramref name="policy"/> at <paramref name="securityVersion"/>. The caller owns and zeroes it.
    /// </summary>
    /// <exception cref="SecGearException">The broker refused (<see cref="EnclaveStatus.AttestationFailed"/>) or could not be reached (<see cref="EnclaveStatus.ServiceRequestFailed"/>).</exception>
    byte[] GetSealingRoot(SealPolicy policy, ushort securityVersion, Func<byte[], byte[]> evidence);
}
