namespace SecGear.AttestationService.Storage;

/// <summary>A token-signing key as stored: its PKCS#8 private key encrypted under the master key.</summary>
/// <param name="KeyId">The key id (<c>kid</c>).</param>
/// <param name="EncryptedPrivateKey">The PKCS#8 private key, encrypted under the master key.</param>
/// <param name="CreatedAt">When the key was written (from then on it is published in the JWKS).</param>
/// <param name="ActivatesAt">From when instances sign with it (null: from <paramref name="CreatedAt"/>, keys of schema version 1).</param>
public sealed record StoredSigningKey(string KeyId, byte[] EncryptedPrivateKey, DateTimeOffset CreatedAt, DateTimeOffset? ActivatesAt = null)
{
    /// <summary>From when instances sign with this key.</summary>
    public DateTimeOffset EffectiveActivation => ActivatesAt ?? CreatedAt;
}
