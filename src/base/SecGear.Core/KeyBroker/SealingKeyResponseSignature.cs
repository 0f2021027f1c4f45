using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SecGear.AttestationService;

/// <summary>
/// How the attestation service signs a sealing-key response (<see cref="ResourceResponse.Signature"/>), so a runner
/// that pins the service's token-signing keys (<see cref="TokenSigningKeys"/>) accepts a sealing root from that service
/// only. The envelope alone authenticates nobody: it is sealed to the runner's recipient key, whose public half anyone
/// on the path sees, so an impostor could seal a root of its own choosing to it.
/// </summary>
/// <remarks>
/// The signature is a compact JWS (ES256, <c>kid</c> = base64url SHA-256 of the key's SubjectPublicKeyInfo, as in the
/// service's JWKS) whose payload has the member <see cref="Claim"/> = <c>{"path": envelope path, "recipient":
/// base64url SHA-256(recipient SPKI), "envelope": base64url SHA-256(u32be-length-prefixed algorithm, ephemeral key,
/// nonce, ciphertext, tag)}</c>. It binds the root to this request's one-use recipient key, so a recorded response
/// cannot be replayed to another request (it would not open either). The payload has no <c>ear.status</c>, so the
/// service never takes it for an attestation token, and an attestation token has no <see cref="Claim"/>.
/// </remarks>
public static class SealingKeyResponseSignature
{
    /// <summary>The payload member that carries the binding.</summary>
    public const string Claim = "secgear_sealing_key";

    /// <summary>Longest signature accepted (a real one is about 400 characters).</summary>
    public const int MaxLength = 8 * 1024;

    private const string Algorithm = "ES256";

    /// <summary>The JWS payload (JSON) the service signs for <paramref name="envelope"/>.</summary>
    public static string Payload(string path, ReadOnlySpan<byte> recipientKey, SealedResource envelope)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(envelope);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(Claim);
            writer.WriteString("path", path);
            writer.WriteString("recipient", Base64Url.EncodeToString(SHA256.HashData(recipientKey)));
            writer.WriteString("envelope", Base64Url.EncodeToString(EnvelopeDigest(envelope)));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid ES256 JWS by one of <paramref name="pinned"/> over exactly this
    /// path, recipient key and envelope; otherwise false and what is wrong (never key material).
    /// </summary>
    public static bool TryVerify(
        string? signature, string path, ReadOnlySpan<byte> recipientKey, SealedResource envelope, TokenSigningKeys pinned, [NotNullWhen(false)] out string? failure)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(pinned);
        if (string.IsNullOrEmpty(signature))
        {
            failure = "the response is not signed (the service predates signed sealing keys, or something between rewrote it)";
            return false;
        }

        string[] parts = signature.Split('.');
        if (signature.Length > MaxLength || parts.Length != 3)
        {
            failure = "the signature is not a compact JWS";
            return false;
        }

        try
        {
            using (var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])))
            {
                string? alg = Member(header.RootElement, "alg");
                string? kid = Member(header.RootElement, "kid");
                if (alg != Algorithm)
                {
                    failure = $"the signature's algorithm is '{alg}', expected {Algorithm}";
                    return false;
                }

                if (kid is null || pinned.Find(kid) is not { } key)
                {
                    failure = $"the response is signed by key '{kid}', which is not one of the pinned token-signing keys ({string.Join(", ", pinned.KeyIds)})";
                    return false;
                }

                byte[] raw = Base64Url.DecodeFromChars(parts[2]);
                if (!key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), raw, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
                {
                    failure = $"the signature does not verify with the pinned key '{kid}'";
                    return false;
                }
            }

            using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            if (payload.RootElement.ValueKind != JsonValueKind.Object || !payload.RootElement.TryGetProperty(Claim, out var binding))
            {
                failure = $"the signed payload has no '{Claim}' member";
                return false;
            }

            failure = Member(binding, "path") != path ? $"the signature is for another path than '{path}'"
                : Member(binding, "recipient") != Base64Url.EncodeToString(SHA256.HashData(recipientKey)) ? "the signature is for another recipient key than this request's"
                : Member(binding, "envelope") != Base64Url.EncodeToString(EnvelopeDigest(envelope)) ? "the signature is for another envelope than the one received"
                : null;
            return failure is null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            failure = "the signature's header or payload is not base64url JSON";
            return false;
        }
    }

    private static string? Member(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] EnvelopeDigest(SealedResource envelope)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (byte[]? field in (byte[]?[])[Encoding.UTF8.GetBytes(envelope.Algorithm ?? string.Empty), envelope.EphemeralKey, envelope.Nonce, envelope.Ciphertext, envelope.Tag])
        {
            byte[] bytes = field ?? [];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        return hash.GetHashAndReset();
    }
}
