using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Security;

/// <summary>
/// Issues and validates attestation result tokens (ES256 JWTs, EAR shape). Signing keys live in the store, encrypted
/// under the master key; every instance on a database signs with the key activated last whose activation time has
/// come and trusts all stored keys, so a token from one instance verifies on another. Keys are rotated by
/// <see cref="RotateAsync"/> (published before they sign) and retired by <see cref="MaintainKeysAsync"/> once no
/// token they signed can still be valid. A token naming an unknown key reloads the keys at most once per
/// <see cref="UnknownKeyReloadInterval"/>, so forged key ids cannot turn requests into database reads.
/// </summary>
public sealed partial class TokenService : IDisposable
{
    /// <summary>Least time between two reloads caused by tokens that name an unknown key.</summary>
    public static readonly TimeSpan UnknownKeyReloadInterval = TimeSpan.FromSeconds(10);

    private const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    private readonly IAttestationStore _store;
    private readonly MasterKey _masterKey;
    private readonly AttestationServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly ConcurrentDictionary<string, ECDsaSecurityKey> _keys = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private readonly ConcurrentDictionary<string, SigningCredentials> _credentials = new(StringComparer.Ordinal);
    private volatile StoredSigningKey[] _schedule = [];
    private volatile SigningCredentials? _signing;
    private long _lastUnknownKeyReload = long.MinValue / 2;
    private long _reloads;

    /// <summary>Creates the service; call <see cref="InitializeAsync"/> before use.</summary>
    public TokenService(IAttestationStore store, MasterKey masterKey, IOptions<AttestationServiceOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _masterKey = masterKey;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Loads the signing keys, creating the first one when the database has none.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        if (_signing is not null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        await _store.AddSigningKeyAsync(NewKey(now, now), cancellationToken).ConfigureAwait(false);

        // Instances that started together may each have added one: all are published, and all sign with the same one.
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        if (_signing is null)
        {
            throw new StorageUnavailableException("The token-signing key was stored but does not read back.");
        }
    }

    /// <summary>The JSON Web Key Set of every signing key (public parts only).</summary>
    public string JwksJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var (kid, key) in _keys.OrderBy(k => k.Key, StringComparer.Ordinal))
            {
                var parameters = key.ECDsa.ExportParameters(false);
                writer.WriteStartObject();
                writer.WriteString("kty", "EC");
                writer.WriteString("crv", "P-256");
                writer.WriteString("x", Base64Url.EncodeToString(parameters.Q.X));
                writer.WriteString("y", Base64Url.EncodeToString(parameters.Q.Y));
                writer.WriteString("kid", kid);
                writer.WriteString("use", "sig");
                writer.WriteString("alg", Algorithm);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Signs a token whose payload the caller wrote (claims per <see cref="AttestationTokenClaims"/>).</summary>
    public string Sign(string payloadJson) =>
        _handler.CreateToken(payloadJson, CurrentCredentials() ?? throw new InvalidOperationException("The token service is not initialised."));

    /// <summary>
    /// Validates a token this service issued: signature by one of its keys, ES256, issuer, lifetime (at the service's
    /// clock), <c>ear.status</c> affirming. Returns the payload; throws <see cref="ServiceProblemException"/> (401
    /// TokenInvalid / TokenExpired) otherwise.
    /// </summary>
    public async Task<JsonElement> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        if (token.Length > 64 * 1024)
        {
            throw Invalid("the token is longer than 64 KiB");
        }

        var result = await _handler.ValidateTokenAsync(token, Parameters()).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException && TryClaimUnknownKeyReload())
        {
            // Keys are published ahead of use and every instance reloads them on each maintenance run, so an unknown
            // key is almost always forged; the rare real case (maintenance failing for a while) gets one reload per
            // interval, whatever the number of such tokens.
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            result = await _handler.ValidateTokenAsync(token, Parameters()).ConfigureAwait(false);
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            throw Invalid(result.Exception switch
            {
                SecurityTokenSignatureKeyNotFoundException => "it is not signed by a key of this service",
                SecurityTokenInvalidSignatureException => "its signature does not verify",
                SecurityTokenInvalidIssuerException => "it was issued by another issuer",
                SecurityTokenInvalidAlgorithmException => "it is not signed with ES256",
                SecurityTokenMalformedException => "it is not a well-formed JWT",
                _ => "it does not validate",
            });
        }

        JsonElement payload;
        try
        {
            using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload));
            payload = document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw Invalid("its payload is not JSON");
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (!payload.TryGetProperty("exp", out var exp) || !exp.TryGetInt64(out long expires)
            || !payload.TryGetProperty("nbf", out var nbf) || !nbf.TryGetInt64(out long notBefore))
        {
            throw Invalid("it has no exp or nbf");
        }

        if (now >= expires)
        {
            throw new ServiceProblemException(StatusCodes.Status401Unauthorized, ServiceErrorCodes.TokenExpired, "The attestation token has expired; attest again.");
        }

        if (now < notBefore - 30)
        {
            throw Invalid("it is not valid yet");
        }

        if (!payload.TryGetProperty(AttestationTokenClaims.Submods, out var submods) || submods.ValueKind != JsonValueKind.Object
            || !submods.TryGetProperty(AttestationTokenClaims.SubmodName, out var enclave) || enclave.ValueKind != JsonValueKind.Object
            || !enclave.TryGetProperty(AttestationTokenClaims.Status, out var status) || status.ValueKind != JsonValueKind.String
            || status.GetString() != AttestationStatus.Affirming)
        {
            throw Invalid("its ear.status is not affirming");
        }

        return payload;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _loadGate.Dispose();
        foreach (var key in _keys.Values)
        {
            key.ECDsa.Dispose();
        }
    }

    private TokenValidationParameters Parameters() => new()
    {
        ValidIssuer = _options.Issuer,
        ValidateAudience = false,
        // Lifetime is checked against the service's TimeProvider after the signature (expired and forged get distinct codes).
        ValidateLifetime = false,
        RequireExpirationTime = false,
        ValidAlgorithms = [Algorithm],
        IssuerSigningKeys = _keys.Values.ToArray(),
        TryAllIssuerSigningKeys = false,
    };

    /// <summary>Reads the stored keys: loads new ones, forgets retired ones, and recomputes the signing key.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _reloads);
            var stored = await _store.ListSigningKeysAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entry in stored)
            {
                if (_keys.ContainsKey(entry.KeyId))
                {
                    continue;
                }

                var pkcs8 = _masterKey.Decrypt(entry.EncryptedPrivateKey, Context(entry.KeyId));
                try
                {
                    var key = ECDsa.Create();
                    key.ImportPkcs8PrivateKey(pkcs8, out _);
                    if (KeyId(key) != entry.KeyId)
                    {
                        key.Dispose();
                        throw new CryptographicException($"The stored signing key '{entry.KeyId}' does not match its id.");
                    }

                    _keys[entry.KeyId] = new ECDsaSecurityKey(key) { KeyId = entry.KeyId };
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(pkcs8);
                }
            }

            // Retired keys are forgotten but not disposed: a validation running now may still hold them.
            foreach (var kid in _keys.Keys.Except(stored.Select(entry => entry.KeyId), StringComparer.Ordinal).ToArray())
            {
                _keys.TryRemove(kid, out _);
                _credentials.TryRemove(kid, out _);
            }

            // In activation order (then creation, then id, so every instance orders alike): the signer is the last active one.
            _schedule = [.. stored.OrderBy(key => key.EffectiveActivation).ThenBy(key => key.CreatedAt).ThenBy(key => key.KeyId, StringComparer.Ordinal)];
            _signing = CurrentCredentials();
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private static string KeyId(ECDsa key) => Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static string Context(string kid) => $"signing-key/{kid}";

    private static ServiceProblemException Invalid(string reason) =>
        new(StatusCodes.Status401Unauthorized, ServiceErrorCodes.TokenInvalid, $"The attestation token is invalid: {reason}.");
}
