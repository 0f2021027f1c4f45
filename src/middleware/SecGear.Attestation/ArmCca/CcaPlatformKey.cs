using System.Security.Cryptography;

namespace SecGear.Attestation.ArmCca;

/// <summary>
/// A provisioned CCA platform attestation key (CPAK) public key, optionally bound to the implementation id and
/// instance id of the platform it endorses. A null id matches any token.
/// </summary>
/// <param name="ImplementationId">The implementation id (claim 2396) it endorses, or null for any.</param>
/// <param name="InstanceId">The instance id (claim 256) it endorses, or null for any.</param>
/// <param name="Key">The public key parameters (P-256, P-384 or P-521). Validated when used, not when provisioned.</param>
public sealed record CcaPlatformKey(byte[]? ImplementationId, byte[]? InstanceId, ECParameters Key)
{
    /// <summary>True when this key is provisioned for a platform with these ids.</summary>
    public bool Matches(ReadOnlySpan<byte> implementationId, ReadOnlySpan<byte> instanceId) =>
        (ImplementationId is null || ImplementationId.AsSpan().SequenceEqual(implementationId))
        && (InstanceId is null || InstanceId.AsSpan().SequenceEqual(instanceId));
}
