namespace SecGear.AttestationService;

/// <summary>
/// The identities a sealing root from <see cref="AttestationServiceRoutes.SealingKeys"/> can be bound to, named as
/// secGear's seal policies are. The service derives the root from its master key and, besides the policy's identity,
/// the policy id the token was issued under, the TEE, whether the evidence was simulated, the debug flag and the
/// requested security version (at most the attested one): docs/attestation-service.md, "Sealing keys".
/// </summary>
public static class SealingKeyPolicies
{
    /// <summary>Bound to the attested unique id (enclave measurement): only the identical enclave gets the same root.</summary>
    public const string Enclave = "enclave";

    /// <summary>Bound to the attested signer id and product id: every enclave of that signer and product gets the same root.</summary>
    public const string Signer = "signer";

    /// <summary>Length of a sealing root in bytes.</summary>
    public const int RootLength = 32;

    /// <summary>Returns <paramref name="policy"/> when it is <see cref="Enclave"/> or <see cref="Signer"/>.</summary>
    /// <exception cref="ArgumentException">Any other value.</exception>
    public static string Validate(string policy) => policy is Enclave or Signer
        ? policy
        : throw new ArgumentException($"A sealing-key policy is '{Enclave}' or '{Signer}', not '{policy}'.", nameof(policy));

    /// <summary>The path a sealing root's envelope is bound to (<see cref="ResourceResponse.Path"/>): <c>sealing-keys/{policy}/{securityVersion}</c>.</summary>
    /// <exception cref="ArgumentException">An unknown policy name.</exception>
    public static string EnvelopePath(string policy, ushort securityVersion) => $"sealing-keys/{Validate(policy)}/{securityVersion}";
}
