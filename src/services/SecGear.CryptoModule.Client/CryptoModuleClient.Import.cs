using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.AttestationService;

namespace SecGear.CryptoModule.Client;

/// <summary>Wrapped key import: material leaves the client sealed to a key that attested evidence shows the enclave holds.</summary>
public sealed partial class CryptoModuleClient
{
    /// <summary>
    /// Asks for the store's import public key with evidence bound to a fresh nonce and that key, and verifies it with
    /// <paramref name="verifier"/> against <paramref name="policy"/>. Throws <see cref="EnclaveNotTrusted"/> when the
    /// evidence fails, so a key is wrapped only to an enclave the caller trusts.
    /// </summary>
    public async Task<KeyImportParameters> GetImportParametersAsync(AttestationVerifier verifier, AttestationPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(policy);
        var (nonce, nonceText) = NewNonce();
        var parameters = await SendAsync<object, KeyImportParameters>(
            HttpMethod.Get, $"{CryptoModuleRoutes.ImportParameters}?nonce={nonceText}", null, null, CryptoModuleJson.Default.KeyImportParameters, cancellationToken).ConfigureAwait(false);
        Verify(verifier, policy, parameters.Evidence, KeyImportParameters.ReportData(nonce, parameters.PublicKey));
        return parameters;
    }

    /// <summary>
    /// Seals <paramref name="material"/> to the import key for exactly this tenant, key id, spec and usage
    /// (<see cref="KeyImportParameters.WrapPath"/>): ECDH-ES P-256, HKDF-SHA-256, AES-256-GCM.
    /// </summary>
    /// <exception cref="ArgumentException">The import key is not a P-256 SPKI, or the material is empty or over 64 KiB.</exception>
    /// <param name="importPublicKey">The verified import key (<see cref="GetImportParametersAsync"/>).</param>
    /// <param name="tenant">The tenant the key belongs to.</param>
    /// <param name="keyId">The key id.</param>
    /// <param name="spec">The key's spec.</param>
    /// <param name="usage">The key's usage.</param>
    /// <param name="material">The plaintext material.</param>
    /// <param name="version">The version the import creates: 1 for a new key, primary + 1 for <see cref="ImportKeyVersionAsync(AttestationVerifier, AttestationPolicy, string, ReadOnlyMemory{byte}, CancellationToken)"/>.</param>
    public static WrappedKeyMaterial WrapKey(byte[] importPublicKey, string tenant, string keyId, KeySpec spec, KeyUsage usage, ReadOnlySpan<byte> material, uint version = 1)
    {
        ArgumentOutOfRangeException.ThrowIfZero(version);
        ArgumentNullException.ThrowIfNull(importPublicKey);
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (material.IsEmpty)
        {
            throw new ArgumentException("There is no key material to wrap.", nameof(material));
        }

        try
        {
            var sealedKey = ResourceEnvelope.Seal(importPublicKey, material, KeyImportParameters.WrapPath(tenant, keyId, spec, usage, version));
            return new WrappedKeyMaterial(sealedKey.EphemeralKey, sealedKey.Nonce, sealedKey.Ciphertext, sealedKey.Tag);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"The import key is not a P-256 public key: {ex.Message}", nameof(importPublicKey), ex);
        }
    }

    /// <summary>Imports a key wrapped with <see cref="WrapKey"/>.</summary>
    public Task<KeyInfo> ImportKeyAsync(ImportKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.Import, request, CryptoModuleJson.Default.ImportKeyRequest, CryptoModuleJson.Default.KeyInfo, cancellationToken);

    /// <summary>
    /// The whole import: verifies the enclave (<see cref="GetImportParametersAsync"/>), wraps <paramref name="material"/>
    /// to its import key for this client's tenant, and imports it as <paramref name="keyId"/>. The plaintext material
    /// never leaves this process unwrapped.
    /// </summary>
    public async Task<KeyInfo> ImportKeyAsync(
        AttestationVerifier verifier, AttestationPolicy policy, string keyId, KeySpec spec, KeyUsage usage, ReadOnlyMemory<byte> material, string? label = null,
        CancellationToken cancellationToken = default)
    {
        string tenant = TenantOfCredential ?? throw new InvalidOperationException("Importing a key needs a tenant credential (tenant.secret).");
        var parameters = await GetImportParametersAsync(verifier, policy, cancellationToken).ConfigureAwait(false);
        var wrapped = WrapKey(parameters.PublicKey, tenant, keyId, spec, usage, material.Span);
        return await ImportKeyAsync(new ImportKeyRequest(spec, usage, keyId, wrapped, label), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Imports material wrapped with <see cref="WrapKey"/> for <see cref="ImportKeyVersionRequest.Version"/> as the next version of key <paramref name="keyId"/>.</summary>
    public Task<KeyInfo> ImportKeyVersionAsync(string keyId, ImportKeyVersionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, CryptoModuleRoutes.KeyOperation(keyId, "import-version"), request, CryptoModuleJson.Default.ImportKeyVersionRequest, CryptoModuleJson.Default.KeyInfo,
            cancellationToken);

    /// <summary>
    /// Rotates key <paramref name="keyId"/> to outside material: reads its spec, usage and primary version, verifies the
    /// enclave, wraps <paramref name="material"/> for the next version and imports it as the new primary. A concurrent
    /// rotation answers <see cref="CryptoModuleErrorCodes.ConcurrentRotation"/>; read the key and retry.
    /// </summary>
    public async Task<KeyInfo> ImportKeyVersionAsync(
        AttestationVerifier verifier, AttestationPolicy policy, string keyId, ReadOnlyMemory<byte> material, CancellationToken cancellationToken = default)
    {
        string tenant = TenantOfCredential ?? throw new InvalidOperationException("Importing a key needs a tenant credential (tenant.secret).");
        var key = await GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        var parameters = await GetImportParametersAsync(verifier, policy, cancellationToken).ConfigureAwait(false);
        uint next = key.PrimaryVersion + 1;
        var wrapped = WrapKey(parameters.PublicKey, tenant, keyId, key.Spec, key.Usage, material.Span, next);
        return await ImportKeyVersionAsync(keyId, new ImportKeyVersionRequest(next, wrapped), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The tenant id of <see cref="Credential"/> (the part before the first dot), or null.</summary>
    public string? TenantOfCredential => Credential?.IndexOf('.', StringComparison.Ordinal) is > 0 and int dot ? Credential[..dot] : null;
}
