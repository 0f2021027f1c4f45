using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.Attestation.ArmCca;

/// <summary>
/// The CPAKs a relying party trusts (CCA has no X.509 chain: each platform's key is provisioned by its vendor's
/// endorsement). Immutable; <see cref="Add"/> returns a new store. Loads JWKs and Veraison's trust-anchor JSON.
/// </summary>
public sealed class CcaPlatformKeyStore
{
    private readonly CcaPlatformKey[] _keys;

    private CcaPlatformKeyStore(CcaPlatformKey[] keys)
    {
        _keys = keys;
    }

    /// <summary>A store with no keys: every token fails with <see cref="AttestationFailureCode.PlatformKeyNotTrusted"/>.</summary>
    public static CcaPlatformKeyStore Empty { get; } = new([]);

    /// <summary>The provisioned keys.</summary>
    public IReadOnlyList<CcaPlatformKey> Keys => _keys;

    /// <summary>A new store with this store's keys plus <paramref name="key"/>.</summary>
    public CcaPlatformKeyStore Add(CcaPlatformKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new([.. _keys, key]);
    }

    /// <summary>The first key provisioned for a platform with these ids, or null.</summary>
    public CcaPlatformKey? Find(ReadOnlySpan<byte> implementationId, ReadOnlySpan<byte> instanceId)
    {
        foreach (var key in _keys)
        {
            if (key.Matches(implementationId, instanceId))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>
    /// Reads Veraison's trust-anchor JSON: an array of <c>{"implementation-id": hex, "instance-id": hex, "pkey": JWK}</c>,
    /// or a single bare EC JWK (which then matches any platform). Throws <see cref="AttestationException"/>
    /// (<see cref="AttestationFailureCode.CollateralMalformed"/>) when the JSON is not of that shape.
    /// </summary>
    public static CcaPlatformKeyStore FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                return new([new CcaPlatformKey(null, null, Jwk(root))]);
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                throw Invalid("expected a JWK object or an array of trust anchors");
            }

            return new(root.EnumerateArray().Select(entry => new CcaPlatformKey(
                OptionalHex(entry, "implementation-id"),
                OptionalHex(entry, "instance-id"),
                entry.TryGetProperty("pkey", out var pkey) ? Jwk(pkey) : throw Invalid("a trust anchor has no 'pkey'"))).ToArray());
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw Invalid(FailureText.Of(ex));
        }
    }

    private static ECParameters Jwk(JsonElement jwk)
    {
        string Text(string name) => jwk.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Invalid($"JWK has no string '{name}'");
        if (Text("kty") != "EC")
        {
            throw Invalid($"JWK kty is '{Text("kty")}', expected 'EC'");
        }

        var curve = Text("crv") switch
        {
            "P-256" => ECCurve.NamedCurves.nistP256,
            "P-384" => ECCurve.NamedCurves.nistP384,
            "P-521" => ECCurve.NamedCurves.nistP521,
            var other => throw Invalid($"JWK crv is '{other}', expected P-256, P-384 or P-521"),
        };
        return new ECParameters { Curve = curve, Q = new ECPoint { X = Base64Url(Text("x")), Y = Base64Url(Text("y")) } };
    }

    private static byte[]? OptionalHex(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) ? Convert.FromHexString(value.GetString() ?? throw Invalid($"'{name}' is not a string")) : null;

    private static byte[] Base64Url(string text)
    {
        string padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    private static AttestationException Invalid(string message) =>
        new(AttestationFailureCode.CollateralMalformed, $"CCA trust anchors: {message}");
}
