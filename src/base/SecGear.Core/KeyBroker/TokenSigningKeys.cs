using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.AttestationService;

/// <summary>
/// Pinned token-signing public keys of one attestation service (P-256, read from its JSON Web Key Set), by key id =
/// base64url SHA-256 of the key's SubjectPublicKeyInfo (the service's convention). A runner verifies
/// <see cref="SealingKeyResponseSignature"/> against these; keys it was not given are never trusted, whatever a server
/// presents.
/// </summary>
public sealed class TokenSigningKeys : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys;

    private TokenSigningKeys(Dictionary<string, ECDsa> keys) => _keys = keys;

    /// <summary>The pinned key ids, sorted.</summary>
    public IReadOnlyList<string> KeyIds => [.. _keys.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Reads a JWKS (<c>{"keys": [{"kty": "EC", "crv": "P-256", "x", "y", "kid"}, …]}</c>, as the service publishes at
    /// <c>/.well-known/jwks.json</c>). Every key must be EC P-256 and its <c>kid</c>, when present, must be its
    /// SubjectPublicKeyInfo digest.
    /// </summary>
    /// <exception cref="FormatException">Not such a JWKS, no key, or a key that is off the curve or mislabelled.</exception>
    public static TokenSigningKeys FromJwks(ReadOnlySpan<byte> json)
    {
        var keys = new Dictionary<string, ECDsa>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("keys", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("The pinned keys are not a JSON Web Key Set (an object with a \"keys\" array).");
            }

            foreach (var jwk in list.EnumerateArray())
            {
                var key = Import(jwk, keys.Count);
                string kid = Base64Url.EncodeToString(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
                if (jwk.TryGetProperty("kid", out var given) && given.GetString() != kid)
                {
                    key.Dispose();
                    throw new FormatException($"Key {keys.Count}'s kid '{given}' is not its SubjectPublicKeyInfo digest '{kid}'.");
                }

                if (!keys.TryAdd(kid, key))
                {
                    key.Dispose();
                }
            }

            return keys.Count > 0 ? new TokenSigningKeys(keys) : throw new FormatException("The JSON Web Key Set holds no key.");
        }
        catch (FormatException)
        {
            DisposeAll(keys.Values);
            throw;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or CryptographicException)
        {
            DisposeAll(keys.Values);
            throw new FormatException($"The pinned keys are not a usable JSON Web Key Set: {ex.Message}", ex);
        }
    }

    /// <summary>The pinned key with id <paramref name="keyId"/>, or null.</summary>
    public ECDsa? Find(string keyId) => _keys.GetValueOrDefault(keyId);

    /// <inheritdoc/>
    public void Dispose()
    {
        DisposeAll(_keys.Values);
        _keys.Clear();
    }

    private static void DisposeAll(IEnumerable<ECDsa> keys)
    {
        foreach (var key in keys)
        {
            key.Dispose();
        }
    }

    private static ECDsa Import(JsonElement jwk, int index)
    {
        if (jwk.ValueKind != JsonValueKind.Object
            || !jwk.TryGetProperty("kty", out var kty) || kty.GetString() != "EC"
            || !jwk.TryGetProperty("crv", out var crv) || crv.GetString() != "P-256"
            || !jwk.TryGetProperty("x", out var x) || !jwk.TryGetProperty("y", out var y))
        {
            throw new FormatException($"Key {index} is not an EC P-256 JSON Web Key (kty EC, crv P-256, x, y).");
        }

        byte[] qx = Base64Url.DecodeFromChars(x.GetString() ?? string.Empty);
        byte[] qy = Base64Url.DecodeFromChars(y.GetString() ?? string.Empty);
        if (qx.Length != 32 || qy.Length != 32)
        {
            throw new FormatException($"Key {index}'s coordinates are not 32 bytes each.");
        }

        // ImportParameters validates that the point is on the curve.
        return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = qx, Y = qy } });
    }
}
