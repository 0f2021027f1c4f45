using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// The HCL runtime data's JSON: the vTPM attestation key (<c>keys[kid=HCLAkPub]</c>, an RSA JWK), <c>user-data</c> and
/// the <c>vm-configuration</c> values. Read from the bytes as stored; never re-serialised.
/// </summary>
public sealed class HclRuntimeData
{
    private HclRuntimeData(RSAParameters attestationKey, string? userData, IReadOnlyDictionary<string, string> vmConfiguration)
    {
        AttestationKey = attestationKey;
        UserData = userData;
        VmConfiguration = vmConfiguration;
    }

    /// <summary>The vTPM attestation key (HCLAkPub).</summary>
    public RSAParameters AttestationKey { get; }

    /// <summary>The <c>user-data</c> string (hex), when present.</summary>
    public string? UserData { get; }

    /// <summary>Scalar <c>vm-configuration</c> values as text (booleans lower case).</summary>
    public IReadOnlyDictionary<string, string> VmConfiguration { get; }

    /// <summary>Parses the variable data. Returns false and a failure when the JSON or the AK is unusable.</summary>
    public static bool TryParse(byte[] variableData, [NotNullWhen(true)] out HclRuntimeData? runtimeData, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        runtimeData = null;
        failure = null;
        try
        {
            using var document = JsonDocument.Parse(variableData, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                failure = new(AttestationFailureCode.EvidenceMalformed, "Azure HCL runtime data: not a JSON object with a 'keys' array");
                return false;
            }

            RSAParameters? ak = null;
            foreach (var key in keys.EnumerateArray())
            {
                if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("kid", out var kid) && kid.ValueKind == JsonValueKind.String && kid.GetString() == "HCLAkPub")
                {
                    if (ak is not null)
                    {
                        failure = new(AttestationFailureCode.AttestationKeyMalformed, "Azure HCL runtime data: more than one HCLAkPub key");
                        return false;
                    }

                    ak = RsaJwk(key);
                    if (ak is null)
                    {
                        failure = new(AttestationFailureCode.AttestationKeyMalformed, "Azure HCL runtime data: HCLAkPub is not an RSA JWK with base64url n and e");
                        return false;
                    }
                }
            }

            if (ak is null)
            {
                failure = new(AttestationFailureCode.AttestationKeyMalformed, "Azure HCL runtime data: no key with kid HCLAkPub");
                return false;
            }

            string? userData = root.TryGetProperty("user-data", out var user) && user.ValueKind == JsonValueKind.String ? user.GetString() : null;
            var configuration = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("vm-configuration", out var vm) && vm.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in vm.EnumerateObject())
                {
                    string? text = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Number => property.Value.GetRawText(),
                        _ => null,
                    };
                    if (text is not null)
                    {
                        configuration[property.Name] = text;
                    }
                }
            }

            runtimeData = new HclRuntimeData(ak.Value, userData, configuration);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8.
            failure = new(AttestationFailureCode.EvidenceMalformed, $"Azure HCL runtime data is not valid JSON: {ex.Message}");
            return false;
        }
    }

    private static RSAParameters? RsaJwk(JsonElement key)
    {
        if (!key.TryGetProperty("kty", out var kty) || kty.ValueKind != JsonValueKind.String || kty.GetString() != "RSA"
            || !key.TryGetProperty("n", out var n) || n.ValueKind != JsonValueKind.String
            || !key.TryGetProperty("e", out var e) || e.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var modulus = Base64UrlBytes(n.GetString()!);
        var exponent = Base64UrlBytes(e.GetString()!);
        return modulus is { Length: >= 256 and <= 1024 } && exponent is { Length: >= 1 and <= 8 }
            ? new RSAParameters { Modulus = modulus, Exponent = exponent }
            : null;
    }

    /// <summary>Decodes base64url (padding optional); null when the text is not base64url.</summary>
    internal static byte[]? Base64UrlBytes(string text)
    {
        try
        {
            return Base64Url.DecodeFromChars(text.TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
