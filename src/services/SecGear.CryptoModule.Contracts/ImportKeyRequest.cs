namespace SecGear.CryptoModule;

/// <summary>
/// Imports a key whose material was wrapped to the enclave's import key (<see cref="KeyImportParameters"/>): the host
/// relays ciphertext only. Material formats: EC and RSA keys PKCS#8 DER; SM2 the 32-byte private scalar; AES-256 32
/// bytes; SM4 16 bytes; HMAC keys 16-64 bytes.
/// </summary>
/// <param name="Spec">Kind and size (the material must match it).</param>
/// <param name="Usage">What it may do (checked against the spec).</param>
/// <param name="Id">The key id (required: it is bound into the wrapping).</param>
/// <param name="WrappedKey">The material sealed with <see cref="KeyImportParameters.WrapPath"/> as associated data.</param>
/// <param name="Label">A free-form label, at most 256 characters.</param>
public sealed record ImportKeyRequest(KeySpec Spec, KeyUsage Usage, string Id, WrappedKeyMaterial WrappedKey, string? Label = null);

/// <summary>Key material sealed to the enclave's import key (ECDH-ES P-256 + HKDF-SHA-256 + AES-256-GCM).</summary>
/// <param name="EphemeralKey">The sender's ephemeral P-256 public key (SPKI DER).</param>
/// <param name="Nonce">The 12-byte GCM nonce.</param>
/// <param name="Ciphertext">The encrypted material.</param>
/// <param name="Tag">The 16-byte GCM tag.</param>
public sealed record WrappedKeyMaterial(byte[] EphemeralKey, byte[] Nonce, byte[] Ciphertext, byte[] Tag);

/// <summary>
/// Imports wrapped material as the next version of an existing key (a rotation whose material comes from outside).
/// The spec and usage are the key's; the material must be wrapped for exactly <paramref name="Version"/>
/// (<see cref="KeyImportParameters.WrapPath"/>), which must be the key's primary version + 1.
/// </summary>
/// <param name="Version">The version this import creates.</param>
/// <param name="WrappedKey">The material sealed with the version's wrap path as associated data.</param>
public sealed record ImportKeyVersionRequest(uint Version, WrappedKeyMaterial WrappedKey);
