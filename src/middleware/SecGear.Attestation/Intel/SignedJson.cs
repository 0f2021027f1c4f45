using System.Text.Json;

namespace SecGear.Attestation.Intel;

/// <summary>
/// A signed Intel JSON object (TCB info or QE identity): the exact bytes the signature covers, as transmitted, and
/// the raw r‖s signature. The signed bytes are never re-serialised.
/// </summary>
internal sealed class SignedJson
{
    public SignedJson(byte[] body, byte[] signature)
    {
        Body = body;
        Signature = signature;
    }

    /// <summary>The exact signed bytes: the JSON object from its '{' to the matching '}'.</summary>
    public byte[] Body { get; }

    /// <summary>The 64-byte raw ECDSA P-256 signature (r‖s).</summary>
    public byte[] Signature { get; }

    /// <summary>
    /// Splits a PCS response body <c>{"tcbInfo":{…},"signature":"…"}</c> (or <c>enclaveIdentity</c>) into the exact
    /// bytes of the inner object and the signature. Throws <see cref="FormatException"/> when malformed.
    /// </summary>
    public static SignedJson FromPcsBody(ReadOnlySpan<byte> json, string bodyProperty)
    {
        int end = json.Length;
        while (end > 0 && json[end - 1] == 0)
        {
            end--;
        }

        json = json[..end];
        byte[]? body = null;
        string? signature = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FormatException("expected a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (!reader.Read())
                {
                    break;
                }

                if (name == bodyProperty && reader.TokenType == JsonTokenType.StartObject)
                {
                    int start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    body = json[start..(int)reader.BytesConsumed].ToArray();
                }
                else if (name == "signature" && reader.TokenType == JsonTokenType.String)
                {
                    signature = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new FormatException($"not valid JSON: {FailureText.Of(ex)}", ex);
        }

        if (body is null || signature is null)
        {
            throw new FormatException($"expected properties '{bodyProperty}' (object) and 'signature' (string)");
        }

        return new SignedJson(body, ParseSignature(signature));
    }

    /// <summary>Parses a 128-hex-digit raw r‖s signature.</summary>
    public static byte[] ParseSignature(string hex)
    {
        var bytes = Hex.Parse(hex, "signature");
        return bytes.Length == 64 ? bytes : throw new FormatException($"signature is {bytes.Length} bytes, expected 64 (r‖s)");
    }
}
