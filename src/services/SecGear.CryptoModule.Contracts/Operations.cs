namespace SecGear.CryptoModule;

/// <summary>Signs a message, or a digest when <paramref name="Prehashed"/> (or the scheme is <see cref="Scheme.EcdsaDigest"/>).</summary>
/// <param name="Data">The message or digest.</param>
/// <param name="Scheme">The signature scheme; <see cref="Scheme.Default"/> picks the spec's default.</param>
/// <param name="Prehashed">Data is already the scheme's hash (not for SM2, whose Z_A needs the message).</param>
/// <param name="UserId">SM2 only: the signer's user id (default <c>1234567812345678</c>).</param>
public sealed record SignRequest(byte[] Data, Scheme Scheme = Scheme.Default, bool Prehashed = false, byte[]? UserId = null);

/// <summary>A signature made with the key's primary version.</summary>
/// <param name="Signature">r‖s for ECDSA and SM2, the RSA signature block for RSA.</param>
/// <param name="Version">The key version that signed.</param>
public sealed record SignResponse(byte[] Signature, uint Version);

/// <summary>Verifies a signature.</summary>
/// <param name="Data">The message or digest.</param>
/// <param name="Signature">The signature to check.</param>
/// <param name="Scheme">The signature scheme.</param>
/// <param name="Prehashed">Data is already the scheme's hash.</param>
/// <param name="UserId">SM2 only: the signer's user id.</param>
/// <param name="Version">The key version that signed (default: the primary).</param>
public sealed record VerifyRequest(byte[] Data, byte[] Signature, Scheme Scheme = Scheme.Default, bool Prehashed = false, byte[]? UserId = null, uint? Version = null);

/// <summary>Whether a signature or MAC verified.</summary>
public sealed record VerifyResponse(bool Valid, uint Version);

/// <summary>Encrypts with the key's primary version.</summary>
/// <param name="Plaintext">The data.</param>
/// <param name="Scheme">The mode; <see cref="Scheme.Default"/>: GCM for AES/SM4, OAEP-SHA-256 for RSA, SM2 encryption for SM2.</param>
/// <param name="Iv">The IV; generated in the enclave when absent (recommended: a reused GCM IV breaks GCM).</param>
/// <param name="Aad">GCM additional authenticated data.</param>
public sealed record EncryptRequest(byte[] Plaintext, Scheme Scheme = Scheme.Default, byte[]? Iv = null, byte[]? Aad = null);

/// <summary>A ciphertext.</summary>
/// <param name="Ciphertext">The ciphertext (GCM: with the 16-byte tag appended).</param>
/// <param name="Iv">The IV used (null for ECB, key wrap and public-key schemes).</param>
/// <param name="Version">The key version that encrypted; pass it back to decrypt after a rotation.</param>
public sealed record EncryptResponse(byte[] Ciphertext, byte[]? Iv, uint Version);

/// <summary>Decrypts.</summary>
/// <param name="Ciphertext">The ciphertext.</param>
/// <param name="Scheme">The mode it was made with.</param>
/// <param name="Iv">The IV it was made with.</param>
/// <param name="Aad">GCM additional authenticated data.</param>
/// <param name="Version">The key version that encrypted (default: the primary).</param>
public sealed record DecryptRequest(byte[] Ciphertext, Scheme Scheme = Scheme.Default, byte[]? Iv = null, byte[]? Aad = null, uint? Version = null);

/// <summary>A plaintext.</summary>
public sealed record DecryptResponse(byte[] Plaintext);

/// <summary>Computes the key's MAC over data.</summary>
public sealed record MacRequest(byte[] Data);

/// <summary>A MAC made with the key's primary version.</summary>
public sealed record MacResponse(byte[] Mac, uint Version);

/// <summary>Verifies a MAC in constant time.</summary>
public sealed record MacVerifyRequest(byte[] Data, byte[] Mac, uint? Version = null);

/// <summary>Envelope encryption: a fresh data key, in plaintext for immediate use and encrypted under this key for storage.</summary>
/// <param name="Length">Data key length in bytes, 16-64 (default 32).</param>
/// <param name="Scheme">How the copy is encrypted (default GCM for AES/SM4, OAEP-SHA-256 for RSA).</param>
/// <param name="Aad">GCM additional data bound to the encrypted copy.</param>
public sealed record DataKeyRequest(int Length = 32, Scheme Scheme = Scheme.Default, byte[]? Aad = null);

/// <summary>A data key.</summary>
/// <param name="Plaintext">The data key; use it, then forget it.</param>
/// <param name="Ciphertext">The data key encrypted under the module key; decrypt it later with the module.</param>
/// <param name="Iv">The IV of the encrypted copy.</param>
/// <param name="Version">The module key version used.</param>
public sealed record DataKeyResponse(byte[] Plaintext, byte[] Ciphertext, byte[]? Iv, uint Version);

/// <summary>Hashes data (SHA-256/384/512 or SM3).</summary>
public sealed record DigestRequest(byte[] Data, Scheme Scheme = Scheme.Sha256);

/// <summary>A digest.</summary>
public sealed record DigestResponse(byte[] Digest);

/// <summary>Asks for random bytes (1-65536).</summary>
public sealed record RandomRequest(int Length);

/// <summary>Random bytes from the enclave's generator.</summary>
public sealed record RandomResponse(byte[] Bytes);
