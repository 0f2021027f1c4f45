namespace SecGear.AttestationService;

/// <summary>A secret sealed to an enclave's runtime key by <see cref="ResourceEnvelope"/> (byte fields are base64 in JSON).</summary>
/// <param name="Algorithm">Always <see cref="ResourceEnvelope.Algorithm"/> in this version.</param>
/// <param name="EphemeralKey">The sender's ephemeral P-256 public key, SubjectPublicKeyInfo DER.</param>
/// <param name="Nonce">AES-GCM nonce, 12 bytes.</param>
/// <param name="Ciphertext">AES-256-GCM ciphertext, as long as the secret.</param>
/// <param name="Tag">AES-GCM tag, 16 bytes.</param>
public sealed record SealedResource(string Algorithm, byte[] EphemeralKey, byte[] Nonce, byte[] Ciphertext, byte[] Tag);
