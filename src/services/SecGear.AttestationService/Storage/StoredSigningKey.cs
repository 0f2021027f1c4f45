namespace SecGear.AttestationService.Storage;

/// <summary>A token-signing key as stored: its PKCS#8 private key encrypted under the master key.</summary>
public sealed record StoredSigningKey(string KeyId, byte[] EncryptedPrivateKey, DateTimeOffset CreatedAt);
